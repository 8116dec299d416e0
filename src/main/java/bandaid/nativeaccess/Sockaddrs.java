package bandaid.nativeaccess;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Optional;

/**
 * Turns a struct sockaddr of a given length into a {@link ListenAddress}. The offsets are written
 * down (AbiNumbersTest holds them to the generated bindings): the generated sockaddr_in6 class
 * builds VarHandles for its arrays when first touched, which costs start-up for four numbers.
 */
final class Sockaddrs {
    /** sizeof(struct sockaddr_storage): the largest address bandaid reads. */
    static final int MAX_LENGTH = 128;
    static final int FAMILY_SIZE = 2;
    static final int IN_PORT = 2;
    static final int IN_ADDR = 4;
    static final int IN_SIZE = 16;
    static final int IN6_PORT = 2;
    static final int IN6_ADDR = 8;
    /** ipv6(7): a 24-byte sockaddr_in6 (without sin6_scope_id) is accepted by the kernel too. */
    static final int IN6_SCOPE_ID = 24;
    static final int UN_PATH = 2;
    static final int UN_SIZE = 110;

    private Sockaddrs() {
    }

    /**
     * Decodes {@code length} bytes of a struct sockaddr in native memory (a getsockname(2) result).
     *
     * @return empty when the length is too short for the family it names (the kernel would refuse it too)
     */
    static Optional<ListenAddress> decode(MemorySegment addr, long length) {
        int available = (int) Math.min(Math.min(Math.max(length, 0), addr.byteSize()), MAX_LENGTH);
        byte[] bytes = new byte[available];
        MemorySegment.copy(addr, ValueLayout.JAVA_BYTE, 0, bytes, 0, available);
        return decode(bytes, available);
    }

    /**
     * Decodes the first {@code length} bytes of {@code addr} as a struct sockaddr, copied out of
     * native memory in one step (see {@link NativeBytes}).
     *
     * @return empty when the length is too short for the family it names (the kernel would refuse it too)
     */
    static Optional<ListenAddress> decode(byte[] addr, int length) {
        if (length < FAMILY_SIZE) {
            return Optional.empty();
        }
        int familyNumber = NativeBytes.u16(addr, 0); // sa_family_t, in host byte order
        Family family = Family.of(familyNumber);
        return switch (family) {
            case INET -> length < IN_SIZE ? Optional.empty() : Optional.of(new ListenAddress.Inet(
                    Family.INET, Arrays.copyOfRange(addr, IN_ADDR, IN_ADDR + 4), networkShort(addr, IN_PORT)));
            case INET6 -> length < IN6_SCOPE_ID ? Optional.empty() : Optional.of(new ListenAddress.Inet(
                    Family.INET6, Arrays.copyOfRange(addr, IN6_ADDR, IN6_ADDR + 16), networkShort(addr, IN6_PORT)));
            case UNIX -> Optional.of(unix(addr, Math.min(length, UN_SIZE)));
            case OTHER -> Optional.of(new ListenAddress.Unsupported(family, familyNumber));
        };
    }

    /** sin_port and sin6_port are in network byte order (big-endian). */
    private static int networkShort(byte[] addr, int offset) {
        return (addr[offset] & 0xff) << 8 | (addr[offset + 1] & 0xff);
    }

    /**
     * unix(7): an address of just the family is unnamed; a path starting with NUL is abstract and
     * runs to the given length (NULs included); otherwise the path ends at its first NUL.
     */
    private static ListenAddress unix(byte[] addr, int length) {
        int pathLength = length - UN_PATH;
        if (pathLength <= 0) {
            return new ListenAddress.Unix(new byte[0], false);
        }
        byte[] path = Arrays.copyOfRange(addr, UN_PATH, length);
        if (path[0] == 0) {
            return new ListenAddress.Unix(Arrays.copyOfRange(path, 1, path.length), true);
        }
        int end = 0;
        while (end < path.length && path[end] != 0) {
            end++;
        }
        return new ListenAddress.Unix(Arrays.copyOf(path, end), false);
    }
}
