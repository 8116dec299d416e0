package bandaid.matching;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import java.util.Arrays;

/** Comparisons of addresses the way the kernel would see them. */
final class Addresses {
    private static final byte[] V4_MAPPED_PREFIX = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};

    private Addresses() {
    }

    /** Equal addresses; an IPv4-mapped IPv6 address (::ffff:a.b.c.d, ipv6(7)) equals its IPv4 one. */
    static boolean sameAddress(ListenAddress a, ListenAddress b) {
        return normalized(a).equals(normalized(b));
    }

    private static ListenAddress normalized(ListenAddress a) {
        if (isV4Mapped(a)) {
            ListenAddress.Inet inet = (ListenAddress.Inet) a;
            return new ListenAddress.Inet(Family.INET, Arrays.copyOfRange(inet.address(), 12, 16), inet.port());
        }
        return a;
    }

    /** An IPv6 address of the form ::ffff:a.b.c.d, which stands for an IPv4 one (ipv6(7)). */
    static boolean isV4Mapped(ListenAddress a) {
        return a instanceof ListenAddress.Inet inet && inet.family() == Family.INET6
                && Arrays.equals(inet.address(), 0, 12, V4_MAPPED_PREFIX, 0, 12);
    }
}
