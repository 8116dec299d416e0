package bandaid.nativeaccess;

/**
 * The SECCOMP_IOCTL_NOTIF_* request numbers and the notification structs' layout.
 * linux/seccomp.h defines the requests with the function-like macros {@code _IOWR('!', nr, type)}
 * / {@code _IOW(...)}, which jextract cannot evaluate, so they are computed here with the
 * {@code _IOC} formula of asm-generic/ioctl.h. The sizes and offsets are written down rather than
 * taken from the generated struct classes, whose initializers build VarHandles for their array
 * fields at start-up; SeccompIoctlTest holds the numbers to a C program compiled against the
 * system's headers, AbiNumbersTest the layout to the generated bindings.
 */
final class SeccompIoctl {
    // asm-generic/ioctl.h: nr in bits 0-7, type in 8-15, size in 16-29, direction in 30-31.
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    private static final int SECCOMP_IOC_MAGIC = '!';
    private static final long U64_SIZE = 8;

    /** struct seccomp_notif: __u64 id; __u32 pid; __u32 flags; struct seccomp_data data. */
    static final int NOTIF_SIZE = 80;
    static final int NOTIF_ID = 0;
    static final int NOTIF_PID = 8;
    static final int NOTIF_DATA = 16;
    /** struct seccomp_notif_resp: __u64 id; __s64 val; __s32 error; __u32 flags. */
    static final int RESP_SIZE = 24;
    static final int RESP_ID = 0;
    static final int RESP_VAL = 8;
    static final int RESP_ERROR = 16;
    static final int RESP_FLAGS = 20;
    /** struct seccomp_notif_addfd: __u64 id; __u32 flags, srcfd, newfd, newfd_flags. */
    static final int ADDFD_SIZE = 24;
    static final int ADDFD_ID = 0;
    static final int ADDFD_FLAGS = 8;
    static final int ADDFD_SRCFD = 12;
    static final int ADDFD_NEWFD = 16;
    static final int ADDFD_NEWFD_FLAGS = 20;

    static final long NOTIF_RECV = ioc(IOC_READ | IOC_WRITE, 0, NOTIF_SIZE);
    static final long NOTIF_SEND = ioc(IOC_READ | IOC_WRITE, 1, RESP_SIZE);
    /**
     * Defined as {@code _IOW} since Linux 5.9 ("seccomp: Fix ioctl number for
     * SECCOMP_IOCTL_NOTIF_ID_VALID", also in 5.8.y; it was {@code _IOR} before, a mistake); since
     * then the kernel accepts both numbers (kernel/seccomp.c, seccomp_notify_ioctl), so the new one
     * works on every kernel bandaid runs on (5.9 and newer: Debian 11's 5.10 answers it).
     */
    static final long NOTIF_ID_VALID = ioc(IOC_WRITE, 2, U64_SIZE);
    static final long NOTIF_ADDFD = ioc(IOC_WRITE, 3, ADDFD_SIZE);
    /**
     * SECCOMP_IOCTL_NOTIF_SET_FLAGS: Linux 6.6, newer than the 6.1 headers the bindings are
     * generated from, so defined by hand: {@code _IOW(SECCOMP_IOC_MAGIC, 4, __u64)}.
     */
    static final long NOTIF_SET_FLAGS = ioc(IOC_WRITE, 4, U64_SIZE);
    /** SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6, include/uapi/linux/seccomp.h): by hand, as above. */
    static final long USER_NOTIF_FD_SYNC_WAKE_UP = 1;

    private SeccompIoctl() {
    }

    static long ioc(int direction, int nr, long size) {
        return ((long) direction << 30) | (size << 16) | ((long) SECCOMP_IOC_MAGIC << 8) | nr;
    }

    /** The request's name, for error messages. */
    static String name(long request) {
        if (request == NOTIF_RECV) {
            return "SECCOMP_IOCTL_NOTIF_RECV";
        } else if (request == NOTIF_SEND) {
            return "SECCOMP_IOCTL_NOTIF_SEND";
        } else if (request == NOTIF_ID_VALID) {
            return "SECCOMP_IOCTL_NOTIF_ID_VALID";
        } else if (request == NOTIF_ADDFD) {
            return "SECCOMP_IOCTL_NOTIF_ADDFD";
        } else if (request == NOTIF_SET_FLAGS) {
            return "SECCOMP_IOCTL_NOTIF_SET_FLAGS";
        }
        return "0x" + Long.toHexString(request);
    }
}
