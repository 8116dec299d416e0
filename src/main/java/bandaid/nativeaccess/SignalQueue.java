package bandaid.nativeaccess;

import bandaid.bindings.Linux;
import bandaid.bindings.signalfd_siginfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Receives signals sent to bandaid through a signalfd(2), so they can be passed on to the program.
 *
 * <p>signalfd only sees a signal that every thread blocks; otherwise the kernel delivers it to
 * a thread that does not. The JVM's threads are many and not ours, so {@code scripts/bandaid}
 * starts the JVM with these signals already blocked ({@code env --block-signal}) and with
 * {@code -Xrs}, under which the JVM does not unblock them again: every thread inherits the mask
 * (pthread_sigmask(3)). The JDK's process launcher resets the mask for the program it starts.
 */
public final class SignalQueue implements AutoCloseable {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SignalQueue(int fd) {
        this.fd = fd;
    }

    /** The signal numbers (Linux, x86-64), for names from the command line and for messages. */
    public static int number(String name) {
        return switch (name) {
            case "HUP" -> Linux.SIGHUP();
            case "INT" -> Linux.SIGINT();
            case "QUIT" -> Linux.SIGQUIT();
            case "TERM" -> Linux.SIGTERM();
            case "USR1" -> Linux.SIGUSR1();
            case "USR2" -> Linux.SIGUSR2();
            case "WINCH" -> Linux.SIGWINCH();
            case "KILL" -> Linux.SIGKILL();
            case "PIPE" -> Linux.SIGPIPE();
            case "ALRM" -> Linux.SIGALRM();
            default -> throw new IllegalArgumentException("unknown signal " + name);
        };
    }

    /**
     * Ends bandaid by {@code signal}, the way the program ended: the calling thread unblocks it
     * (every thread blocks it for the signalfd) and raises it on itself. Under -Xrs the JVM has
     * left the default action, termination, in place. Returns only if the signal did not end
     * the process (a handler took it).
     */
    public static void dieBy(int signal) {
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment set = state.arena.allocate(Libc.SIGSET_BYTES, 8);
            int r = (int) Libc.Sigemptyset.HANDLE.invokeExact(state.errno, set);
            r |= (int) Libc.Sigaddset.HANDLE.invokeExact(state.errno, set, signal);
            int error = (int) Libc.PthreadSigmask.HANDLE.invokeExact(Linux.SIG_UNBLOCK(), set, MemorySegment.NULL);
            if (r == 0 && error == 0) {
                r = (int) Libc.Raise.HANDLE.invokeExact(state.errno, signal);
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** Which of {@code signals} the calling thread blocks. */
    public static List<String> blocked(List<String> signals) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(Libc.SIGSET_BYTES, 8);
            int error = (int) Libc.PthreadSigmask.HANDLE.invokeExact(Linux.SIG_BLOCK(), MemorySegment.NULL, current);
            if (error != 0) {
                throw new SyscallException("pthread_sigmask(SIG_BLOCK)", error);
            }
            return signals.stream().filter(s -> isMember(current, number(s))).toList();
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static boolean isMember(MemorySegment set, int signal) {
        try (Libc.CallState state = new Libc.CallState()) {
            return (int) Libc.Sigismember.HANDLE.invokeExact(state.errno, set, signal) == 1;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** A signalfd for {@code signals}, opened SFD_CLOEXEC. */
    public static SignalQueue open(List<String> signals) {
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment set = state.arena.allocate(Libc.SIGSET_BYTES, 8);
            int r = (int) Libc.Sigemptyset.HANDLE.invokeExact(state.errno, set);
            for (String s : signals) {
                r |= (int) Libc.Sigaddset.HANDLE.invokeExact(state.errno, set, number(s));
            }
            if (r != 0) {
                throw state.failure("sigaddset");
            }
            int fd = (int) Libc.Signalfd.HANDLE.invokeExact(state.errno, -1, set, Linux.SFD_CLOEXEC());
            if (fd < 0) {
                throw state.failure("signalfd");
            }
            return new SignalQueue(fd);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * A signal as signalfd(2) reports it.
     *
     * @param fromKernel sent by the kernel itself (si_code SI_KERNEL), as a terminal sends Ctrl-C,
     *                   Ctrl-\ and window-size changes: to the whole foreground process group,
     *                   which the program shares with bandaid, so the program has it already
     */
    public record Received(int signal, boolean fromKernel) {
    }

    /** Blocks until a signal arrives; empty once the queue was closed. */
    public Optional<Received> take() {
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment info = signalfd_siginfo.allocate(state.arena);
            while (true) {
                long n = (long) Libc.Read.HANDLE.invokeExact(state.errno, fd, info, signalfd_siginfo.sizeof());
                if (n == signalfd_siginfo.sizeof()) {
                    return Optional.of(new Received(signalfd_siginfo.ssi_signo(info),
                            signalfd_siginfo.ssi_code(info) == Linux.SI_KERNEL()));
                }
                if (n < 0 && state.errno() == Errno.EINTR) {
                    continue;
                }
                if (closed.get()) {
                    return Optional.empty();
                }
                throw state.failure("read(signalfd)");
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Descriptors.close(fd, "signalfd");
        }
    }
}
