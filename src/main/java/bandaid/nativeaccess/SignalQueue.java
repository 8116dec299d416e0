package bandaid.nativeaccess;

import bandaid.socket.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Receives signals sent to bandaid through a signalfd(2), so they can be passed on to the program.
 *
 * <p>signalfd only sees a signal that every thread blocks; otherwise the kernel delivers it to
 * a thread that does not. The JVM's threads are many and not ours, so {@code scripts/bandaid}
 * starts the JVM with these signals already blocked ({@code env --block-signal}) and with
 * {@code -Xrs}, under which the JVM does not unblock them again: every thread inherits the mask
 * (pthread_sigmask(3)). The program is started with an empty mask (ProgramSpawner).
 */
public final class SignalQueue implements AutoCloseable {
    /** sizeof(struct signalfd_siginfo), and the offsets of ssi_signo and ssi_code (AbiNumbersTest). */
    static final int SIGINFO_SIZE = 128;
    static final int SSI_SIGNO = 0;
    static final int SSI_CODE = 8;

    /**
     * Loaded with this class (when the queue is opened at start), not when the first signal
     * comes: by then a long-running bandaid's jar may have been rebuilt in place (a checkout's
     * {@code mvn package}), and a class not yet loaded from it fails (NoClassDefFoundError) on
     * the very signal that should stop bandaid.
     */
    @SuppressWarnings("unused")
    private static final Class<Received> LOADED_AT_START = Received.class;

    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SignalQueue(int fd) {
        this.fd = fd;
    }

    /** Which of {@code signals} the calling thread blocks. */
    public static List<String> blocked(List<String> signals) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment current = arena.allocate(ValueLayout.JAVA_LONG);
            Libc.check("rt_sigprocmask(SIG_BLOCK)", Libc.syscall(Abi.__NR_rt_sigprocmask, Abi.SIG_BLOCK, 0,
                    current.address(), Signals.KERNEL_SIGSET_BYTES, 0, 0));
            long mask = current.get(ValueLayout.JAVA_LONG, 0);
            return signals.stream().filter(s -> (mask & Signals.mask(Signals.number(s))) != 0).toList();
        }
    }

    /** A signalfd for {@code signals}, opened SFD_CLOEXEC. */
    public static SignalQueue open(List<String> signals) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment set = arena.allocateFrom(ValueLayout.JAVA_LONG, Signals.mask(Signals.numbers(signals)));
            long fd = Libc.check("signalfd4", Libc.syscall(Abi.__NR_signalfd4, -1, set.address(),
                    Signals.KERNEL_SIGSET_BYTES, Abi.SFD_CLOEXEC, 0, 0));
            return new SignalQueue((int) fd);
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
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = arena.allocate(SIGINFO_SIZE, 8);
            while (true) {
                long n = Libc.syscall(Abi.__NR_read, fd, info.address(), SIGINFO_SIZE);
                if (n == SIGINFO_SIZE) {
                    return Optional.of(new Received(info.get(ValueLayout.JAVA_INT, SSI_SIGNO),
                            info.get(ValueLayout.JAVA_INT, SSI_CODE) == Abi.SI_KERNEL));
                }
                if (n == -Errno.EINTR) {
                    continue;
                }
                if (closed.get()) {
                    return Optional.empty();
                }
                Libc.check("read(signalfd)", n < 0 ? n : -Errno.EIO);
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Fds.close(fd, "signalfd");
        }
    }
}
