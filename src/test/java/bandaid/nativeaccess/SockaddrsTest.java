package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A struct sockaddr as the kernel lays it out (sa_family in host order, ports in network order),
 * written byte by byte here, then decoded: from a Java array (the reader's way) and from native
 * memory (getsockname's) alike.
 */
class SockaddrsTest {

    /** struct sockaddr_in 127.0.0.1:8080 (port 0x1f90). */
    private static final byte[] INET = {2, 0, 0x1f, (byte) 0x90, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0};

    private static byte[] inet6(int length) {
        byte[] addr = new byte[28];
        addr[0] = 10; // AF_INET6, little-endian
        addr[2] = (byte) 0xc3; // port 50000 = 0xc350
        addr[3] = 0x50;
        addr[8 + 15] = 1; // ::1
        return Arrays.copyOf(addr, length);
    }

    private static byte[] unix(byte[] path, int length) {
        byte[] addr = new byte[110];
        addr[0] = 1; // AF_UNIX
        System.arraycopy(path, 0, addr, 2, path.length);
        return Arrays.copyOf(addr, length);
    }

    private static Optional<ListenAddress> decoded(byte[] addr) {
        Optional<ListenAddress> fromArray = Sockaddrs.decode(addr, addr.length);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment native_ = arena.allocate(Math.max(addr.length, 1));
            MemorySegment.copy(addr, 0, native_, ValueLayout.JAVA_BYTE, 0, addr.length);
            assertEquals(fromArray.map(ListenAddress::toString), Sockaddrs.decode(native_, addr.length).map(ListenAddress::toString));
        }
        return fromArray;
    }

    @Test
    void anIpv4AddressHasItsPortInNetworkOrder() {
        ListenAddress.Inet a = (ListenAddress.Inet) decoded(INET).orElseThrow();
        assertEquals(Family.INET, a.family());
        assertEquals(8080, a.port());
        assertArrayEquals(new byte[] {127, 0, 0, 1}, a.address());
    }

    @Test
    void anIpv6AddressMayLeaveOutItsScopeId() {
        for (int length : new int[] {24, 28}) {
            ListenAddress.Inet a = (ListenAddress.Inet) decoded(inet6(length)).orElseThrow();
            assertEquals(Family.INET6, a.family());
            assertEquals(50000, a.port());
            assertEquals(1, a.address()[15]);
            assertEquals(16, a.address().length);
        }
    }

    @Test
    void tooShortForItsFamilyIsNoAddress() {
        assertTrue(decoded(Arrays.copyOf(INET, 15)).isEmpty());
        assertTrue(decoded(inet6(23)).isEmpty());
        assertTrue(decoded(new byte[] {2}).isEmpty());
        assertTrue(decoded(new byte[0]).isEmpty());
    }

    @Test
    void aUnixPathEndsAtItsFirstNulAnAbstractNameRunsToTheLength() {
        byte[] path = "/run/x.sock".getBytes(StandardCharsets.UTF_8);
        ListenAddress.Unix named = (ListenAddress.Unix) decoded(unix(path, 110)).orElseThrow();
        assertArrayEquals(path, named.name());
        assertTrue(named.isPath());

        byte[] abstractName = {0, 'a', 0, 'b'};
        ListenAddress.Unix hidden = (ListenAddress.Unix) decoded(unix(abstractName, 2 + abstractName.length)).orElseThrow();
        assertArrayEquals(new byte[] {'a', 0, 'b'}, hidden.name());
        assertTrue(hidden.isAbstract());

        ListenAddress.Unix unnamed = (ListenAddress.Unix) decoded(unix(new byte[0], 2)).orElseThrow();
        assertTrue(unnamed.isUnnamed());
    }

    @Test
    void anotherFamilyIsKeptWithItsNumber() {
        ListenAddress a = decoded(new byte[] {(byte) 0x2c, 0x01, 0, 0}).orElseThrow(); // 300, little-endian
        assertTrue(a instanceof ListenAddress.Unsupported);
        assertTrue(a.toString().contains("300"), a.toString());
    }
}
