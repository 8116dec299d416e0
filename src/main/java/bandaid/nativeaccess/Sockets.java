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
     * A connection on {@code fd}: a stream or seqpacket socket, not listening (SO_ACCEPTCONN),
     * with a peer (getpeername(2) says ENOTCONN before connect and once the connection is reset),
     * with its local address and whether its peer has closed its side: a TCP FIN received
     * (CLOSE_WAIT) or a unix peer shut down or gone, which poll(2) tells as POLLRDHUP or POLLHUP
     * (tcp_poll, unix_poll). Only then are its queues asked for: what the program has yet to send
     * (SIOCOUTQ) and to read (SIOCINQ), tcp(7) and unix(7).
     *
     * @return empty for anything else, or when {@code fd} is not a socket
     */
    static Optional<HeldSockets.Connection> connection(int fd, long inode) {
        try {
            int type = intOption(fd, Abi.SOL_SOCKET, Abi.SO_TYPE, "SO_TYPE");
            if (type != SocketType.STREAM.number() && type != SocketType.SEQPACKET.number()
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
            Optional<ListenAddress> local = Sockaddrs.decode(addr, length.get(ValueLayout.JAVA_INT, 0));
            if (local.isEmpty()) {
                return Optional.empty();
            }
            boolean peerClosed = (poll(fd, Abi.POLLRDHUP) & (Abi.POLLRDHUP | Abi.POLLHUP)) != 0;
            return Optional.of(new HeldSockets.Connection(local.get(), inode, peerClosed,
                    peerClosed ? queued(fd, Abi.SIOCOUTQ) : 0, peerClosed ? queued(fd, Abi.SIOCINQ) : 0));
        }
    }

    /**
     * Whether something waits on the socket on {@code fd} to be taken: a connection in a
     * listener's accept queue, a datagram in a datagram socket's (poll(2) POLLIN, accept(2),
     * udp(7)), for any family, in whatever network namespace it lives.
     */
    public static boolean hasPending(int fd) {
        return (poll(fd, Abi.POLLIN) & Abi.POLLIN) != 0;
    }

    /**
     * When the program last read a datagram from the socket on {@code fd}, as the kernel stamps
     * it: SIOCGSTAMPNS (sock_gettstamp) gives the arrival time of the last datagram a process
     * read from the socket, on any fd of it, so bandaid asks its own. The first ask turns the
     * stamping on (SOCK_TIMESTAMP), and says ENOENT until a datagram has been read.
     *
     * @return nanoseconds of CLOCK_REALTIME, or -1 when none was read yet
     */
    public static long lastDatagramRead(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            // struct timespec: time_t tv_sec; long tv_nsec (x86-64).
            MemorySegment stamp = arena.allocate(16, 8);
            long r = Libc.syscall(Abi.__NR_ioctl, fd, Abi.SIOCGSTAMPNS, stamp.address());
            if (r < 0) {
                return -1;
            }
            return stamp.get(ValueLayout.JAVA_LONG, 0) * 1_000_000_000L + stamp.get(ValueLayout.JAVA_LONG, 8);
        }
    }

    /**
     * Whether the program asked for receive timestamps on the socket on {@code fd} (SO_TIMESTAMP,
     * SO_TIMESTAMPNS or SO_TIMESTAMPING, old or new, socket(7)): then the kernel hands the stamps
     * to the program with each datagram instead of keeping the last one (sock_recv_timestamp), and
     * {@link #lastDatagramRead} no longer moves.
     */
    public static boolean asksReceiveTimestamps(int fd) {
        for (int option : new int[] {Abi.SO_TIMESTAMP_OLD, Abi.SO_TIMESTAMPNS_OLD, Abi.SO_TIMESTAMPING_OLD,
                Abi.SO_TIMESTAMP_NEW, Abi.SO_TIMESTAMPNS_NEW, Abi.SO_TIMESTAMPING_NEW}) {
            try {
                if (intOption(fd, Abi.SOL_SOCKET, option, "SO_TIMESTAMP*") != 0) {
                    return true;
                }
            } catch (SyscallException unknownOption) {
                // ENOPROTOOPT: a kernel before the option (the new ones came in 5.1)
            }
        }
        return false;
    }

    /** poll(2) without waiting: the revents of {@code events} on {@code fd}, 0 when none. */
    private static int poll(int fd, int events) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment poll = arena.allocate(Structs.POLLFD_SIZE, 8);
            poll.set(ValueLayout.JAVA_INT, Structs.POLLFD_FD, fd);
            poll.set(ValueLayout.JAVA_SHORT, Structs.POLLFD_EVENTS, (short) events);
            long ready = Libc.syscall(Abi.__NR_poll, poll.address(), 1, 0);
            return ready > 0 ? poll.get(ValueLayout.JAVA_SHORT, Structs.POLLFD_REVENTS) & 0xffff : 0;
        }
    }

    /** The bytes SIOCINQ or SIOCOUTQ counts on {@code fd}; 0 when it cannot tell. */
    private static long queued(int fd, int request) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_INT);
            return Libc.syscall(Abi.__NR_ioctl, fd, request, value.address()) < 0 ? 0 : value.get(ValueLayout.JAVA_INT, 0);
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
