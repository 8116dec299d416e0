package bandaid.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketType;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SocketOrderMatcherTest {
    static PassedSocket tcp4(int fd, int port) {
        return new PassedSocket(fd, "unknown", Family.INET, SocketType.STREAM, 6,
                new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, port), true, false, false);
    }

    static PassedSocket udp4(int fd, int port) {
        return new PassedSocket(fd, "unknown", Family.INET, SocketType.DGRAM, 17,
                new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, port), false, false, false);
    }

    private static SocketCall.Create socket(Family f, SocketType t, int protocol) {
        return new SocketCall.Create(f, t, protocol);
    }

    @Test
    void handsOutEachPassedSocketOnceInOrder() {
        PassedSocket a = tcp4(3, 80);
        PassedSocket b = tcp4(4, 443);
        SocketOrderMatcher m = new SocketOrderMatcher(List.of(a, b));
        assertEquals(Optional.of(a), m.match(socket(Family.INET, SocketType.STREAM, 0)));
        assertEquals(Optional.of(b), m.match(socket(Family.INET, SocketType.STREAM, 6)));
        assertEquals(Optional.empty(), m.match(socket(Family.INET, SocketType.STREAM, 0)));
    }

    @Test
    void familyTypeAndProtocolMustAgree() {
        PassedSocket udp = udp4(3, 53);
        SocketOrderMatcher m = new SocketOrderMatcher(List.of(udp));
        assertTrue(m.match(socket(Family.INET, SocketType.STREAM, 0)).isEmpty());
        assertTrue(m.match(socket(Family.INET6, SocketType.DGRAM, 0)).isEmpty());
        assertTrue(m.match(socket(Family.INET, SocketType.DGRAM, 6)).isEmpty());
        assertEquals(Optional.of(udp), m.match(socket(Family.INET, SocketType.DGRAM, 17)));
    }

    @Test
    void aReleasedSocketIsHandedOutAgainInItsPlace() {
        PassedSocket a = tcp4(3, 80);
        PassedSocket b = tcp4(4, 443);
        SocketOrderMatcher m = new SocketOrderMatcher(List.of(a, b));
        m.match(socket(Family.INET, SocketType.STREAM, 0));
        m.release(a);
        assertEquals(Optional.of(a), m.match(socket(Family.INET, SocketType.STREAM, 0)));
    }

    @Test
    void bindToAPassedAddressFindsThatSocket() {
        PassedSocket a = tcp4(3, 80);
        SocketOrderMatcher m = new SocketOrderMatcher(List.of(a));
        assertEquals(Optional.of(a), m.match(new SocketCall.Bind(a.address())));
        assertTrue(m.match(new SocketCall.Bind(tcp4(9, 81).address())).isEmpty());
    }
}
