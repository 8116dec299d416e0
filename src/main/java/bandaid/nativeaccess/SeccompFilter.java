package bandaid.nativeaccess;

import bandaid.socket.Errno;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

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
     *                          EPERM/EACCES: no_new_privs could not be set or seccomp is blocked;
     *                          ENOSYS: seccomp(2) itself is blocked by a filter
     */
    public static SeccompListener install(TrapPlan plan) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("a seccomp filter must be installed on a platform thread");
        }
        Processes.setNoNewPrivileges();
        BpfProgram program = BpfProgram.of(plan);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prog = arena.allocate(Structs.FPROG_SIZE, 8);
            prog.set(ValueLayout.JAVA_SHORT, Structs.FPROG_LEN, (short) program.length());
            prog.set(ValueLayout.JAVA_LONG, Structs.FPROG_FILTER, program.link(arena).address());
            // WAIT_KILLABLE_RECV (5.19): once bandaid has received a call, only a fatal signal
            // interrupts the caller's wait; other signals (Go's SIGURG preemption) can no longer
            // make it restart between ADDFD and the answer (seccomp_unotify(2)). Older kernels
            // reject the flag with EINVAL: install without it.
            long fd = seccomp(Abi.SECCOMP_SET_MODE_FILTER,
                    Abi.SECCOMP_FILTER_FLAG_NEW_LISTENER | Abi.SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, prog.address());
            if (fd == -Errno.EINVAL) {
                fd = seccomp(Abi.SECCOMP_SET_MODE_FILTER, Abi.SECCOMP_FILTER_FLAG_NEW_LISTENER, prog.address());
            }
            Libc.check("seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER)", fd);
            // The kernel opens the listener with O_CLOEXEC (kernel/seccomp.c, init_listener).
            SeccompListener listener = new SeccompListener((int) fd, sizes());
            listener.askForSyncWakeUps();
            return listener;
        }
    }

    /**
     * Whether this kernel offers user notification at all, from
     * /proc/sys/kernel/seccomp/actions_avail (seccomp(2)): tells a kernel without it apart from a
     * sandbox that blocks seccomp(2), which both answer ENOSYS or EINVAL.
     *
     * @return empty when the file cannot be read
     */
    public static Optional<Boolean> kernelOffersUserNotification() {
        try {
            String actions = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/seccomp/actions_avail"));
            return Optional.of(java.util.Arrays.asList(actions.strip().split("\\s+")).contains("user_notif"));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a reader waiting in NOTIF_RECV is woken once no process is left under the filter:
     * Linux 6.11 and later ("seccomp: interrupt SECCOMP_IOCTL_NOTIF_RECV when all users have
     * exited"), by the release /proc/sys/kernel/osrelease names. Unreadable: no.
     */
    static boolean recvEndsWithItsUsers() {
        try {
            String release = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/osrelease")).strip();
            String[] parts = release.split("[.-]");
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            return major > 6 || major == 6 && minor >= 11;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    private static long seccomp(long operation, long flags, long argument) {
        return Libc.syscall(Abi.__NR_seccomp, operation, flags, argument);
    }

    /** SECCOMP_GET_NOTIF_SIZES: the notification structs as this kernel has them. */
    static SeccompListener.Sizes sizes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment sizes = arena.allocate(Structs.NOTIF_SIZES_SIZE, 8);
            Libc.check("seccomp(SECCOMP_GET_NOTIF_SIZES)", seccomp(Abi.SECCOMP_GET_NOTIF_SIZES, 0, sizes.address()));
            return new SeccompListener.Sizes(Short.toUnsignedInt(sizes.get(ValueLayout.JAVA_SHORT, Structs.NOTIF_SIZES_NOTIF)),
                    Short.toUnsignedInt(sizes.get(ValueLayout.JAVA_SHORT, Structs.NOTIF_SIZES_RESP)));
        }
    }
}
