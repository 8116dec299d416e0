package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.ListenAddress;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The sockets a process of the program holds, seen without entering any namespace: its fd
 * table (/proc/PID/fd), and a duplicate of one of its fds (pidfd_getfd(2)) to ask getsockname(2)
 * and getpeername(2). A socket's own calls answer in the socket's network namespace, wherever
 * bandaid runs, so this works when the passed sockets live in another one than bandaid
 * (PrivateNetwork=, a container's network), where /proc/net shows nothing of them.
 */
public final class HeldSockets {
    private static final String SOCKET_LINK = "socket:[";
    private static final int PROTOCOL_NAME_BYTES = 32;

    private HeldSockets() {
    }

    /**
     * The socket fds of process {@code pid} and each one's inode (the "socket:[INODE]" its
     * /proc/PID/fd link names, proc(5)): the same socket has the same inode in every process.
     *
     * @return empty when the process is gone
     * @throws SyscallException when its fd table is not bandaid's to read (EACCES: a non-dumpable
     *                          process's is root's, see {@link #protocolName})
     */
    public static Map<Integer, Long> of(long pid) {
        Map<Integer, Long> sockets = new LinkedHashMap<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of(fdDirectory(pid)))) {
            for (Path fd : fds) {
                inode(fd).ifPresent(inode -> sockets.put(Integer.parseInt(fd.getFileName().toString()), inode));
            }
        } catch (AccessDeniedException e) {
            throw new SyscallException("opendir(" + fdDirectory(pid) + ")", Errno.EACCES);
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return sockets;
    }

    /** A process's fd directory, as a warning about it names it. */
    public static String fdDirectory(long pid) {
        return "/proc/" + pid + "/fd";
    }

    /** The socket inode of one of bandaid's own fds, empty when it is not a socket. */
    public static OptionalLong ownInode(int fd) {
        return inode(Path.of("/proc/self/fd", Integer.toString(fd)));
    }

    /** The inode of the socket on {@code fd} of {@code pid} ("socket:[INODE]"); -1 when it is none or cannot be read. */
    static long linkedSocketInode(long pid, int fd) {
        return inode(Path.of(fdDirectory(pid), Integer.toString(fd))).orElse(-1);
    }

    private static OptionalLong inode(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            if (target.startsWith(SOCKET_LINK) && target.endsWith("]")) {
                return OptionalLong.of(Long.parseLong(target.substring(SOCKET_LINK.length(), target.length() - 1)));
            }
        } catch (IOException | RuntimeException e) {
            // closed meanwhile
        }
        return OptionalLong.empty();
    }

    /**
     * A connection a process holds, as bandaid sees it: its local address (accepted connections
     * carry their listener's, unix(7) and tcp(7)), its socket's inode, whether its peer has closed
     * its side (CLOSE_WAIT, or a unix peer gone), and then what the program has yet to send and to
     * read on it, in bytes (0 while the peer has not closed).
     */
    public record Connection(ListenAddress local, long inode, boolean peerClosed, long unsent, long unread) {
    }

    /**
     * What a duplicate of the process's fd says: a connection (a connected stream or seqpacket
     * socket), or nothing for a listener, a socket not connected, another type, or an fd closed
     * meanwhile.
     *
     * @param pidfd the process's pidfd ({@link Processes#pidfdOpen})
     * @param inode the socket's inode, as {@link #of} found it
     * @throws SyscallException when the kernel refuses the duplicate (EPERM: no ptrace access, a
     *                          non-dumpable process; ENOSYS or EPERM: a seccomp profile)
     */
    public static Optional<Connection> connection(int pidfd, int fd, long inode) {
        long dup = Libc.syscall(Abi.__NR_pidfd_getfd, pidfd, fd, 0);
        if (dup == -Errno.EBADF || dup == -Errno.ESRCH) {
            return Optional.empty(); // closed, or the process exited
        }
        Libc.check("pidfd_getfd(" + fd + ")", dup);
        try {
            return Sockets.connection((int) dup, inode);
        } finally {
            Fds.close((int) dup, "duplicate of the program's fd " + fd);
        }
    }

    /**
     * The kernel's name for the socket's protocol ("TCP", "TCPv6", "UNIX-STREAM", ...: struct
     * proto's name), from getxattr(2) of system.sockprotoname on /proc/PID/fd/FD. It needs the
     * same ptrace access as pidfd_getfd but only calls of systemd's @file-system set, so it works
     * under a SystemCallFilter= that would kill bandaid for pidfd_getfd. A non-dumpable process's
     * fd directory is root's, mode 0500 (proc(5); proc_fd_permission checks plain permissions):
     * entering it takes CAP_DAC_READ_SEARCH, and following the link CAP_SYS_PTRACE.
     *
     * @return empty when the fd is not a socket (ENODATA) or is gone
     * @throws SyscallException when bandaid may not look (EACCES, EPERM)
     */
    public static Optional<String> protocolName(long pid, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            String file = fdDirectory(pid) + "/" + fd;
            MemorySegment path = arena.allocateFrom(file);
            MemorySegment name = arena.allocateFrom("system.sockprotoname");
            MemorySegment value = arena.allocate(PROTOCOL_NAME_BYTES);
            long length = Libc.syscall(Abi.__NR_getxattr, path.address(), name.address(), value.address(), PROTOCOL_NAME_BYTES, 0, 0);
            if (length == -Errno.EACCES || length == -Errno.EPERM) {
                throw new SyscallException("getxattr(" + file + ", system.sockprotoname)", (int) -length);
            }
            if (length <= 0) {
                return Optional.empty();
            }
            return Optional.of(new String(value.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII)
                    .replace("\0", ""));
        }
    }
}
