package bandaid.nativeaccess;

import bandaid.bindings.Linux;
import bandaid.bindings.seccomp_notif_sizes;
import bandaid.bindings.sock_fprog;
import java.lang.foreign.MemorySegment;

/**
 * Installs bandaid's seccomp filter on the calling thread. seccomp(2): a filter and
 * no_new_privs belong to the thread that sets them and are inherited by every child it creates
 * afterwards, so the caller must be the dedicated platform thread that then starts the program,
 * never a virtual thread (whose carrier changes under it).
 */
public final class SeccompFilter {
    private SeccompFilter() {
    }

    /**
     * Sets no_new_privs and installs the filter for {@code plan} with
     * SECCOMP_FILTER_FLAG_NEW_LISTENER.
     *
     * @return the listener that receives the trapped calls
     * @throws SyscallException EINVAL: the kernel lacks user notification (before 5.0) or the
     *                          program is invalid; EBUSY: this thread already has a listener;
     *                          EPERM/EACCES: no_new_privs could not be set or seccomp is blocked
     */
    public static NotificationListener install(TrapPlan plan) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a seccomp filter must be installed on a platform thread");
        }
        setNoNewPrivileges();
        BpfProgram program = BpfProgram.of(plan);
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment prog = sock_fprog.allocate(state.arena);
            sock_fprog.len(prog, (short) program.length());
            sock_fprog.filter(prog, program.link(state.arena));
            // WAIT_KILLABLE_RECV (5.19): once bandaid has received a call, only a fatal signal
            // interrupts the caller's wait; other signals (Go's SIGURG preemption) can no longer
            // make it restart between ADDFD and the answer (seccomp_unotify(2)). Older kernels
            // reject the flag with EINVAL: install without it.
            long flags = Linux.SECCOMP_FILTER_FLAG_NEW_LISTENER() | Linux.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV();
            long fd = seccomp(state, flags, prog);
            if (fd < 0 && state.errno() == Errno.EINVAL) {
                fd = seccomp(state, Linux.SECCOMP_FILTER_FLAG_NEW_LISTENER(), prog);
            }
            if (fd < 0) {
                throw state.failure("seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER)");
            }
            // The kernel opens the listener with O_CLOEXEC (kernel/seccomp.c, init_listener).
            askForSyncWakeUps(state, (int) fd);
            return new NotificationListener((int) fd, NotificationSizes.query());
        }
    }

    /**
     * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6, set with SECCOMP_IOCTL_NOTIF_SET_FLAGS; the
     * value is the argument itself, kernel/seccomp.c, seccomp_notify_set_flags): the kernel wakes
     * the reader, and then the caller when it is answered, on the CPU that woke it, since the waker
     * is about to wait anyway. A trapped call is such a ping-pong: scripts/bench measured about 6
     * of 26 µs less per trapped call on a busy 2-core machine (10 of 11 interleaved pairs), and no
     * loss with 4 callers at once. Older kernels answer EINVAL; it is only an optimisation, so any
     * failure is ignored.
     */
    private static void askForSyncWakeUps(Libc.CallState state, int fd) {
        try {
            int ignored = (int) Libc.Ioctl.HANDLE.invokeExact(state.errno, fd, SeccompIoctl.NOTIF_SET_FLAGS,
                    MemorySegment.ofAddress(SeccompIoctl.USER_NOTIF_FD_SYNC_WAKE_UP));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static long seccomp(Libc.CallState state, long flags, MemorySegment prog) {
        try {
            return (long) Libc.Syscall3.HANDLE.invokeExact(state.errno, (long) Linux.__NR_seccomp(),
                    (long) Linux.SECCOMP_SET_MODE_FILTER(), flags, prog.address());
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** prctl(PR_SET_NO_NEW_PRIVS): required for an unprivileged filter, and a setuid program run under it gains nothing. */
    private static void setNoNewPrivileges() {
        Processes.setFlag(Linux.PR_SET_NO_NEW_PRIVS(), "prctl(PR_SET_NO_NEW_PRIVS)");
    }

    /** The sizes of the notification structs as this kernel has them (SECCOMP_GET_NOTIF_SIZES). */
    record NotificationSizes(long notif, long response, long data) {
        static NotificationSizes query() {
            try (Libc.CallState state = new Libc.CallState()) {
                MemorySegment sizes = seccomp_notif_sizes.allocate(state.arena);
                long r = (long) Libc.Syscall3.HANDLE.invokeExact(state.errno, (long) Linux.__NR_seccomp(),
                        (long) Linux.SECCOMP_GET_NOTIF_SIZES(), 0L, sizes.address());
                if (r != 0) {
                    throw state.failure("seccomp(SECCOMP_GET_NOTIF_SIZES)");
                }
                return new NotificationSizes(seccomp_notif_sizes.seccomp_notif(sizes),
                        seccomp_notif_sizes.seccomp_notif_resp(sizes), seccomp_notif_sizes.seccomp_data(sizes));
            } catch (SyscallException e) {
                throw e;
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }
}
