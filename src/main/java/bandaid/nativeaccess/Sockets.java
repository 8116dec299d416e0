package bandaid.nativeaccess;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketDescription;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/** What bandaid learns about a socket it holds with getsockopt(2) and getsockname(2). */
public final class Sockets {
    private Sockets() {
    }

    /**
     * @throws SyscallException ENOTSOCK when {@code fd} is not a socket, EBADF when it is not open
     */
    public static SocketDescription describe(int fd) {
        SocketKind kind = kind(fd);
        boolean listening = intOption(fd, Abi.SOL_SOCKET, Abi.SO_ACCEPTCONN, "SO_ACCEPTCONN") != 0;
        int protocol = intOption(fd, Abi.SOL_SOCKET, Abi.SO_PROTOCOL, "SO_PROTOCOL");
        return new SocketDescription(kind.family(), kind.type(), protocol, localAddress(fd, kind.family()),
                listening, Fds.isNonBlocking(fd), kind.v6Only().orElse(false));
    }

    /** Family, type and IPV6_V6ONLY of the socket on {@code fd}. */
    static SocketKind kind(int fd) {
        int familyNumber = intOption(fd, Abi.SOL_SOCKET, Abi.SO_DOMAIN, "SO_DOMAIN");
        int type = intOption(fd, Abi.SOL_SOCKET, Abi.SO_TYPE, "SO_TYPE");
        // IPV6_V6ONLY (ipv6(7)); other families have no such option.
        boolean v6Only = familyNumber == Family.INET6.number()
                && intOption(fd, Abi.IPPROTO_IPV6, Abi.IPV6_V6ONLY, "IPV6_V6ONLY") != 0;
        return new SocketKind(Family.of(familyNumber), SocketType.of(type), Optional.of(v6Only));
    }

    /**
     * The local address of a connected stream socket: SOCK_STREAM, not listening (SO_ACCEPTCONN),
     * with a peer (getpeername(2) says ENOTCONN before connect and after the connection is gone).
     *
     * @return empty for anything else, or when {@code fd} is not a socket
     */
    static Optional<ListenAddress> connectedStreamAddress(int fd) {
        try {
            if (intOption(fd, Abi.SOL_SOCKET, Abi.SO_TYPE, "SO_TYPE") != SocketType.STREAM.number()
                    || intOption(fd, Abi.SOL_SOCKET, Abi.SO_ACCEPTCONN, "SO_ACCEPTCONN") != 0) {
                return Optional.empty();
            }
        } catch (SyscallException notASocket) {
            return Optional.empty();
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(Sockaddrs.MAX_LENGTH, 8);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, Sockaddrs.MAX_LENGTH);
            if (Libc.syscall(Abi.__NR_getpeername, fd, addr.address(), length.address()) < 0) {
                return Optional.empty();
            }
            length.set(ValueLayout.JAVA_INT, 0, Sockaddrs.MAX_LENGTH);
            if (Libc.syscall(Abi.__NR_getsockname, fd, addr.address(), length.address()) < 0) {
                return Optional.empty();
            }
            return Sockaddrs.decode(addr, length.get(ValueLayout.JAVA_INT, 0));
        }
    }

    /**
     * Whether a connection waits in the accept queue of the listening socket on {@code fd}: a
     * listener polls readable then (poll(2), accept(2)), for TCP and unix sockets alike, in
     * whatever network namespace it lives.
     */
    public static boolean hasPendingConnection(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            // struct pollfd: int fd; short events; short revents.
            MemorySegment poll = arena.allocate(8, 4);
            poll.set(ValueLayout.JAVA_INT, 0, fd);
            poll.set(ValueLayout.JAVA_SHORT, 4, (short) Abi.POLLIN);
            long ready = Libc.syscall(Abi.__NR_poll, poll.address(), 1, 0);
            return ready > 0 && (poll.get(ValueLayout.JAVA_SHORT, 6) & Abi.POLLIN) != 0;
        }
    }

    private static ListenAddress localAddress(int fd, Family family) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(Sockaddrs.MAX_LENGTH, 8);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, Sockaddrs.MAX_LENGTH);
            Libc.check("getsockname(" + fd + ")", Libc.syscall(Abi.__NR_getsockname, fd, addr.address(), length.address()));
            return Sockaddrs.decode(addr, length.get(ValueLayout.JAVA_INT, 0))
                    .orElse(new ListenAddress.Unsupported(family, family.number()));
        }
    }

    private static int intOption(int fd, int level, int option, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, Integer.BYTES);
            Libc.check("getsockopt(" + fd + ", " + name + ")",
                    Libc.syscall(Abi.__NR_getsockopt, fd, level, option, value.address(), length.address(), 0));
            return value.get(ValueLayout.JAVA_INT, 0);
        }
    }
}
