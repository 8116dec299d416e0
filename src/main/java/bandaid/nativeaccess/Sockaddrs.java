package bandaid.nativeaccess;

import bandaid.activation.Family;
import bandaid.activation.ListenAddress;
import bandaid.bindings.sockaddr;
import bandaid.bindings.sockaddr_in;
import bandaid.bindings.sockaddr_in6;
import bandaid.bindings.sockaddr_un;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Turns a struct sockaddr of a given length into a {@link ListenAddress}. */
final class Sockaddrs {
    /** The largest address bandaid reads: struct sockaddr_storage. */
    static final int MAX_LENGTH = 128;
    private static final long FAMILY_SIZE = sockaddr.sa_family$layout().byteSize();

    private Sockaddrs() {
    }

    /** @return empty when the length is too short for the family it names (the kernel would refuse it too). */
    static Optional<ListenAddress> decode(MemorySegment addr, long length) {
        if (length < FAMILY_SIZE) {
            return Optional.empty();
        }
        int familyNumber = Short.toUnsignedInt(sockaddr.sa_family(addr));
        Family family = Family.of(familyNumber);
        return switch (family) {
            case INET -> length < sockaddr_in.sizeof() ? Optional.empty() : Optional.of(new ListenAddress.Inet(
                    Family.INET, sockaddr_in.sin_addr(addr).toArray(ValueLayout.JAVA_BYTE), port(sockaddr_in.sin_port(addr))));
            // ipv6(7): a 24-byte sockaddr_in6 (without sin6_scope_id) is accepted by the kernel too.
            case INET6 -> length < sockaddr_in6.sin6_scope_id$offset() ? Optional.empty() : Optional.of(new ListenAddress.Inet(
                    Family.INET6, sockaddr_in6.sin6_addr(addr).toArray(ValueLayout.JAVA_BYTE), port(sockaddr_in6.sin6_port(addr))));
            case UNIX -> Optional.of(unix(addr, Math.min(length, sockaddr_un.sizeof())));
            case OTHER -> Optional.of(new ListenAddress.Unsupported(family, familyNumber));
        };
    }

    /** sin_port is in network byte order. */
    private static int port(short networkOrder) {
        return Short.toUnsignedInt(Short.reverseBytes(networkOrder));
    }

    /**
     * unix(7): an address of just the family is unnamed; a path starting with NUL is abstract and
     * runs to the given length (NULs included); otherwise the path ends at its first NUL.
     */
    private static ListenAddress unix(MemorySegment addr, long length) {
        long pathLength = length - sockaddr_un.sun_path$offset();
        if (pathLength <= 0) {
            return new ListenAddress.Unix("", false);
        }
        byte[] path = sockaddr_un.sun_path(addr).asSlice(0, pathLength).toArray(ValueLayout.JAVA_BYTE);
        if (path[0] == 0) {
            return new ListenAddress.Unix(new String(path, 1, path.length - 1, StandardCharsets.UTF_8), true);
        }
        int end = 0;
        while (end < path.length && path[end] != 0) {
            end++;
        }
        return new ListenAddress.Unix(new String(path, 0, end, StandardCharsets.UTF_8), false);
    }
}
