package bandaid.nativeaccess;

import bandaid.socket.Errno;

/**
 * A system call failed: names the call and its errno the way strace and the man pages do,
 * e.g. {@code ioctl(SECCOMP_IOCTL_NOTIF_ADDFD): EBADF (Bad file descriptor)}.
 */
public final class SyscallException extends RuntimeException {
    private final String call;
    private final int errno;

    public SyscallException(String call, int errno) {
        super(call + ": " + Errno.describe(errno));
        this.call = call;
        this.errno = errno;
    }

    /** The call as the message names it, {@code ioctl(SECCOMP_IOCTL_NOTIF_ADDFD)}. */
    public String call() {
        return call;
    }

    public int errno() {
        return errno;
    }
}
