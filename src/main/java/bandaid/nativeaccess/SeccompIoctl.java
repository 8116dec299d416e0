package bandaid.nativeaccess;

import bandaid.bindings.seccomp_notif;
import bandaid.bindings.seccomp_notif_addfd;
import bandaid.bindings.seccomp_notif_resp;

/**
 * The SECCOMP_IOCTL_NOTIF_* request numbers. linux/seccomp.h defines them with the function-like
 * macros {@code _IOWR('!', nr, type)} / {@code _IOW(...)}, which jextract cannot evaluate, so they
 * are computed here with the {@code _IOC} formula of asm-generic/ioctl.h from the generated struct
 * sizes. {@code IoctlNumbersTest} compares them with what a C program compiled against the
 * system's headers prints.
 */
public final class SeccompIoctl {
    // asm-generic/ioctl.h: nr in bits 0-7, type in 8-15, size in 16-29, direction in 30-31.
    private static final int IOC_WRITE = 1;
    private static final int IOC_READ = 2;
    private static final int SECCOMP_IOC_MAGIC = '!';
    private static final long U64_SIZE = 8;

    public static final long NOTIF_RECV = ioc(IOC_READ | IOC_WRITE, 0, seccomp_notif.sizeof());
    public static final long NOTIF_SEND = ioc(IOC_READ | IOC_WRITE, 1, seccomp_notif_resp.sizeof());
    /**
     * Defined as {@code _IOW} since Linux 5.17 (it was {@code _IOR} before, a mistake); the kernel
     * accepts both numbers (kernel/seccomp.c, seccomp_notify_ioctl), the new one everywhere.
     */
    public static final long NOTIF_ID_VALID = ioc(IOC_WRITE, 2, U64_SIZE);
    public static final long NOTIF_ADDFD = ioc(IOC_WRITE, 3, seccomp_notif_addfd.sizeof());
    /**
     * SECCOMP_IOCTL_NOTIF_SET_FLAGS: Linux 6.6, newer than the 6.1 headers the bindings are
     * generated from, so defined by hand: {@code _IOW(SECCOMP_IOC_MAGIC, 4, __u64)}.
     */
    public static final long NOTIF_SET_FLAGS = ioc(IOC_WRITE, 4, U64_SIZE);
    /** SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6, include/uapi/linux/seccomp.h): by hand, as above. */
    public static final long USER_NOTIF_FD_SYNC_WAKE_UP = 1;

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
