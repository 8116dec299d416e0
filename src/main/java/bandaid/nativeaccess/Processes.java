package bandaid.nativeaccess;

import bandaid.bindings.Linux;
import java.lang.foreign.MemorySegment;
import java.util.OptionalInt;

/** Process-level calls: pidfds (pidfd_open(2), pidfd_send_signal(2)). */
public final class Processes {
    private Processes() {
    }

    /**
     * A pidfd for {@code pid}: signals sent through it reach that process and never a later one
     * that reused its pid. Opened O_CLOEXEC (pidfd_open(2) always sets it).
     *
     * @return empty when the process has already exited and been reaped (ESRCH)
     */
    public static OptionalInt pidfdOpen(long pid) {
        try (Libc.CallState state = new Libc.CallState()) {
            long fd = (long) Libc.Syscall3.HANDLE.invokeExact(state.errno, (long) Linux.__NR_pidfd_open(), pid, 0L, 0L);
            if (fd < 0 && state.errno() == Errno.ESRCH) {
                return OptionalInt.empty();
            }
            if (fd < 0) {
                throw state.failure("pidfd_open(" + pid + ")");
            }
            return OptionalInt.of((int) fd);
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** @return false when the process has already exited (ESRCH) */
    public static boolean sendSignal(int pidfd, int signal) {
        try (Libc.CallState state = new Libc.CallState()) {
            long r = (long) Libc.Syscall4.HANDLE.invokeExact(state.errno, (long) Linux.__NR_pidfd_send_signal(),
                    (long) pidfd, (long) signal, 0L, 0L);
            if (r == 0) {
                return true;
            }
            if (state.errno() == Errno.ESRCH) {
                return false;
            }
            throw state.failure("pidfd_send_signal(" + signal + ")");
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER): orphans of the program (a daemon's double fork) become
     * bandaid's children instead of init's, so bandaid sees when the last one exits, and under
     * Yama ptrace_scope=1 they stay its descendants, whose memory it may read.
     */
    public static void becomeSubreaper() {
        setFlag(Linux.PR_SET_CHILD_SUBREAPER(), "prctl(PR_SET_CHILD_SUBREAPER)");
    }

    /** prctl(option, 1): turns on a per-process (or, for no_new_privs, per-thread) flag. */
    static void setFlag(int option, String call) {
        try (Libc.CallState state = new Libc.CallState()) {
            int r = (int) Libc.Prctl.HANDLE.invokeExact(state.errno, option, 1L, 0L, 0L, 0L);
            if (r != 0) {
                throw state.failure(call);
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * Waits for any child to exit and reaps it (waitpid(-1)).
     *
     * @return the reaped pid, or empty when bandaid has no children left (ECHILD)
     */
    public static OptionalInt reapAnyChild() {
        try (Libc.CallState state = new Libc.CallState()) {
            while (true) {
                int pid = (int) Libc.Waitpid.HANDLE.invokeExact(state.errno, -1, MemorySegment.NULL, 0);
                if (pid > 0) {
                    return OptionalInt.of(pid);
                }
                if (state.errno() == Errno.ECHILD) {
                    return OptionalInt.empty();
                }
                if (state.errno() != Errno.EINTR) {
                    throw state.failure("waitpid(-1)");
                }
            }
        } catch (SyscallException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
