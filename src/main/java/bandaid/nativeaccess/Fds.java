package bandaid.nativeaccess;

import bandaid.socket.Errno;

/** fcntl(2) and close(2) on bandaid's own descriptors. */
public final class Fds {
    private Fds() {
    }

    /** Marks {@code fd} close-on-exec, so no program bandaid starts inherits it raw. */
    public static void setCloseOnExec(int fd) {
        long flags = Libc.check("fcntl(" + fd + ", F_GETFD)", fcntl(fd, Abi.F_GETFD, 0));
        Libc.check("fcntl(" + fd + ", F_SETFD)", fcntl(fd, Abi.F_SETFD, flags | Abi.FD_CLOEXEC));
    }

    /** O_NONBLOCK of the file description. */
    public static boolean isNonBlocking(int fd) {
        return (Libc.check("fcntl(" + fd + ", F_GETFL)", fcntl(fd, Abi.F_GETFL, 0)) & Abi.O_NONBLOCK) != 0;
    }

    /**
     * Sets or clears O_NONBLOCK on the file description, which the program, bandaid and systemd
     * all share (newfd_flags of SECCOMP_IOCTL_NOTIF_ADDFD takes O_CLOEXEC only).
     */
    public static void setNonBlocking(int fd, boolean nonBlocking) {
        long flags = Libc.check("fcntl(" + fd + ", F_GETFL)", fcntl(fd, Abi.F_GETFL, 0));
        long wanted = nonBlocking ? flags | Abi.O_NONBLOCK : flags & ~Abi.O_NONBLOCK;
        if (wanted != flags) {
            Libc.check("fcntl(" + fd + ", F_SETFL)", fcntl(fd, Abi.F_SETFL, wanted));
        }
    }

    /** close(2); after EINTR the fd is closed anyway on Linux, so it is never retried. */
    public static void close(int fd, String what) {
        long r = Libc.syscall(Abi.__NR_close, fd, 0, 0);
        if (r < 0 && r != -Errno.EINTR) {
            throw new SyscallException("close(" + what + ")", (int) -r);
        }
    }

    /** Open, but only as an O_PATH reference (open(2)): fcntl works on it, getsockopt says EBADF. */
    public static boolean isPathOnly(int fd) {
        long flags = fcntl(fd, Abi.F_GETFL, 0);
        return flags >= 0 && (flags & Abi.O_PATH) != 0;
    }

    private static long fcntl(int fd, int command, long argument) {
        return Libc.syscall(Abi.__NR_fcntl, fd, command, argument);
    }
}
