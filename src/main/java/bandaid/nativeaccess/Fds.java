package bandaid.nativeaccess;

import bandaid.socket.Errno;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.OptionalInt;

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

    /**
     * What kind of anonymous inode bandaid's own {@code fd} is, as the link /proc/self/fd/FD
     * names it ({@code anon_inode:[eventpoll]}, {@code anon_inode:seccomp notify}, proc(5)),
     * without the prefix and brackets.
     *
     * @return empty when the fd is not open or not an anonymous inode
     */
    public static Optional<String> anonymousInode(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd", Integer.toString(fd))).toString();
            if (!target.startsWith("anon_inode:")) {
                return Optional.empty();
            }
            String kind = target.substring("anon_inode:".length());
            return Optional.of(kind.startsWith("[") && kind.endsWith("]") ? kind.substring(1, kind.length() - 1) : kind);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Writes {@code bytes} to {@code fd} without ever waiting: a socket with MSG_DONTWAIT (the
     * flag is this call's, not the shared file description's, which the program's stderr shares),
     * anything else through {@code nonBlocking}, an O_NONBLOCK reopening of it
     * ({@link #reopenNonBlocking}), or as it is where there is none (a regular file never waits).
     *
     * @return the bytes written; 0 when the reader is behind (EAGAIN) or gone (EPIPE)
     */
    public static long writeWithoutWaiting(int fd, OptionalInt nonBlocking, byte[] bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment data = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long r = Libc.syscall(Abi.__NR_sendto, fd, data.address(), bytes.length, Abi.MSG_DONTWAIT | Abi.MSG_NOSIGNAL, 0, 0);
            if (r == -Errno.ENOTSOCK) {
                r = Libc.syscall(Abi.__NR_write, nonBlocking.orElse(fd), data.address(), bytes.length);
            }
            return Math.max(r, 0);
        }
    }

    /**
     * A new open file description of what bandaid's {@code fd} is open on, for writing without
     * waiting (open(2) of /proc/self/fd/FD with O_WRONLY | O_NONBLOCK | O_CLOEXEC): a pipe, a FIFO
     * or a terminal. Empty for anything else: a socket cannot be opened so and needs no such copy
     * ({@link #writeWithoutWaiting}), a regular file never makes a write wait (and a copy would
     * write at an offset of its own, over what the program wrote).
     */
    public static OptionalInt reopenNonBlocking(int fd) {
        if (!FileIds.isPipeOrDevice(fd)) {
            return OptionalInt.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment path = arena.allocateFrom("/proc/self/fd/" + fd);
            long r = Libc.syscall(Abi.__NR_openat, bandaid.socket.TrappedCall.Unlink.AT_FDCWD, path.address(),
                    Abi.O_WRONLY | Abi.O_NONBLOCK | Abi.O_CLOEXEC, 0, 0, 0);
            return r < 0 ? OptionalInt.empty() : OptionalInt.of((int) r);
        }
    }

    private static long fcntl(int fd, int command, long argument) {
        return Libc.syscall(Abi.__NR_fcntl, fd, command, argument);
    }
}
