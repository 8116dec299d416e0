package bandaid.nativeaccess;

import bandaid.activation.Family;
import bandaid.activation.ListenAddress;
import bandaid.activation.SocketType;
import bandaid.bindings.Linux;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** What bandaid learns about one of its own sockets with getsockopt(2) and getsockname(2). */
public final class Sockets {
    private Sockets() {
    }

    /** A socket's kind and address as the kernel reports them. */
    public record Description(Family family, SocketType type, int protocol, ListenAddress address,
                              boolean listening, boolean nonBlocking, boolean v6Only) {
    }

    /**
     * @throws SyscallException ENOTSOCK when {@code fd} is not a socket, EBADF when it is not open
     */
    public static Description describe(int fd) {
        try (Libc.CallState state = new Libc.CallState()) {
            int familyNumber = intOption(state, fd, Linux.SO_DOMAIN(), "SO_DOMAIN");
            int type = intOption(state, fd, Linux.SO_TYPE(), "SO_TYPE");
            int protocol = intOption(state, fd, Linux.SO_PROTOCOL(), "SO_PROTOCOL");
            boolean listening = intOption(state, fd, Linux.SO_ACCEPTCONN(), "SO_ACCEPTCONN") != 0;
            return new Description(Family.of(familyNumber), SocketType.of(type), protocol,
                    localAddress(state, fd, familyNumber), listening, Descriptors.isNonBlocking(fd), v6Only(state, fd, familyNumber));
        }
    }

    private static ListenAddress localAddress(Libc.CallState state, int fd, int familyNumber) {
        MemorySegment addr = state.arena.allocate(Sockaddrs.MAX_LENGTH, 8);
        MemorySegment length = state.arena.allocateFrom(ValueLayout.JAVA_INT, Sockaddrs.MAX_LENGTH);
        int r = NotificationListener.call(() -> (int) Libc.Getsockname.HANDLE.invokeExact(state.errno, fd, addr, length));
        if (r < 0) {
            throw state.failure("getsockname(" + fd + ")");
        }
        return Sockaddrs.decode(addr, length.get(ValueLayout.JAVA_INT, 0))
                .orElse(new ListenAddress.Unsupported(Family.of(familyNumber), familyNumber));
    }

    /** IPV6_V6ONLY (ipv6(7)); false for other families, which have no such option. */
    static boolean v6Only(Libc.CallState state, int fd, int familyNumber) {
        return familyNumber == Linux.AF_INET6()
                && intOption(state, fd, Linux.IPPROTO_IPV6(), Linux.IPV6_V6ONLY(), "IPV6_V6ONLY") != 0;
    }

    static int intOption(Libc.CallState state, int fd, int option, String name) {
        return intOption(state, fd, Linux.SOL_SOCKET(), option, name);
    }

    private static int intOption(Libc.CallState state, int fd, int level, int option, String name) {
        MemorySegment value = state.arena.allocate(ValueLayout.JAVA_INT);
        MemorySegment length = state.arena.allocateFrom(ValueLayout.JAVA_INT, Integer.BYTES);
        int r = NotificationListener.call(() -> (int) Libc.Getsockopt.HANDLE.invokeExact(
                state.errno, fd, level, option, value, length));
        if (r < 0) {
            throw state.failure("getsockopt(" + fd + ", " + name + ")");
        }
        return value.get(ValueLayout.JAVA_INT, 0);
    }
}
