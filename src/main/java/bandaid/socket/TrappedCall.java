package bandaid.socket;

import java.util.Optional;

/**
 * One trapped system call, decoded once from its notification: the registers, and the caller's
 * memory they point to, read once (a second read could see other bytes: the caller's memory is
 * its own to change).
 */
public sealed interface TrappedCall {

    /** The calling thread's id, in bandaid's pid namespace. */
    int pid();

    /**
     * socket(family, type | flags, protocol).
     *
     * @param nonBlocking SOCK_NONBLOCK was ORed into the type
     * @param closeOnExec SOCK_CLOEXEC was ORed into the type
     */
    record Socket(int pid, Family family, SocketType type, int protocol, boolean nonBlocking, boolean closeOnExec)
            implements TrappedCall {
        @Override
        public String toString() {
            return "socket(" + family + ", " + type + (protocol == 0 ? "" : ", " + protocol) + ")";
        }
    }

    /** bind(fd, address); the address is empty when it could not be read (the kernel then answers). */
    record Bind(int pid, int fd, Optional<ListenAddress> address) implements TrappedCall {
        @Override
        public String toString() {
            return "bind(" + address.map(ListenAddress::toString).orElse("?") + ")";
        }
    }

    /** connect(fd, address); the address is empty when it could not be read (the kernel then answers). */
    record Connect(int pid, int fd, Optional<ListenAddress> address) implements TrappedCall {
        @Override
        public String toString() {
            return "connect(" + address.map(ListenAddress::toString).orElse("?") + ")";
        }
    }

    /** listen(fd, backlog). */
    record Listen(int pid, int fd) implements TrappedCall {
        @Override
        public String toString() {
            return "listen(fd " + fd + ")";
        }
    }

    /**
     * unlink(path) or unlinkat(dirfd, path, flags).
     *
     * @param dirfd      the directory a relative path starts from; {@link #AT_FDCWD} for the working directory
     * @param path       the path's bytes; empty when unreadable
     * @param removesDir AT_REMOVEDIR: removes a directory, never a socket
     */
    record Unlink(int pid, int dirfd, Optional<ListenAddress.Unix> path, boolean removesDir) implements TrappedCall {
        /** AT_FDCWD (fcntl.h), written here since this package names no binding; AbiNumbersTest holds it. */
        public static final int AT_FDCWD = -100;

        @Override
        public String toString() {
            return "unlink(" + path.map(ListenAddress::toString).orElse("?") + ")";
        }
    }

    /**
     * io_uring_setup(2), trapped under --strict only: a ring's IORING_OP_BIND (Linux 6.11) binds
     * without a system call the filter could see.
     */
    record IoUringSetup(int pid) implements TrappedCall {
        @Override
        public String toString() {
            return "io_uring_setup()";
        }
    }

    /** A call the filter should not have trapped: continued. */
    record Other(int pid, int number) implements TrappedCall {
        @Override
        public String toString() {
            return "system call " + number;
        }
    }
}
