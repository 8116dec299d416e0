package bandaid.nativeaccess;

/**
 * One trapped system call, as SECCOMP_IOCTL_NOTIF_RECV reported it (struct seccomp_notif).
 *
 * @param id   the kernel's cookie for this call; every answer names it
 * @param pid  the calling thread's id in bandaid's pid namespace
 * @param call which call it is
 * @param args the six raw argument registers
 */
public record Notification(long id, int pid, TrappedCall call, long[] args) {
    public Notification {
        args = args.clone();
    }

    public long arg(int index) {
        return args[index];
    }

    /** The system calls a {@link TrapPlan} can trap. */
    public enum TrappedCall {
        SOCKET, BIND, UNLINK, UNLINKAT, OTHER
    }
}
