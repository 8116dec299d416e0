package bandaid.nativeaccess;

import bandaid.bindings.Linux;

/** fcntl(2) and close(2) on bandaid's own descriptors. */
public final class Descriptors {
    private Descriptors() {
    }

    /** Marks {@code fd} close-on-exec, so no program bandaid starts inherits it raw. */
    public static void setCloseOnExec(int fd) {
        try (Libc.CallState state = new Libc.CallState()) {
            int flags = fcntl(state, fd, Linux.F_GETFD(), 0, "fcntl(F_GETFD)");
            fcntl(state, fd, Linux.F_SETFD(), flags | Linux.FD_CLOEXEC(), "fcntl(F_SETFD, FD_CLOEXEC)");
        }
    }

    public static boolean isNonBlocking(int fd) {
        try (Libc.CallState state = new Libc.CallState()) {
            return (fcntl(state, fd, Linux.F_GETFL(), 0, "fcntl(F_GETFL)") & Linux.O_NONBLOCK()) != 0;
        }
    }

    /**
     * Sets or clears O_NONBLOCK. It lives on the file description, which the program, bandaid and
     * systemd all share: the program's wish wins, since only the program does I/O on it.
     */
    public static void setNonBlocking(int fd, boolean nonBlocking) {
        try (Libc.CallState state = new Libc.CallState()) {
            int flags = fcntl(state, fd, Linux.F_GETFL(), 0, "fcntl(F_GETFL)");
            int wanted = nonBlocking ? flags | Linux.O_NONBLOCK() : flags & ~Linux.O_NONBLOCK();
            if (wanted != flags) {
                fcntl(state, fd, Linux.F_SETFL(), wanted, "fcntl(F_SETFL)");
            }
        }
    }

    public static void close(int fd, String what) {
        try (Libc.CallState state = new Libc.CallState()) {
            int r = NotificationListener.call(() -> (int) Libc.Close.HANDLE.invokeExact(state.errno, fd));
            // close(2): after EINTR the fd is closed anyway on Linux; never retry.
            if (r < 0 && state.errno() != Errno.EINTR) {
                throw state.failure("close(" + what + ")");
            }
        }
    }

    private static int fcntl(Libc.CallState state, int fd, int command, int argument, String call) {
        int r = NotificationListener.call(() -> (int) Libc.Fcntl.HANDLE.invokeExact(state.errno, fd, command, argument));
        if (r < 0) {
            throw state.failure(call);
        }
        return r;
    }
}
