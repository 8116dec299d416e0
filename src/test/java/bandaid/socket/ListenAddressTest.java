package bandaid.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ListenAddressTest {
    private static ListenAddress.Inet v6(int port, int... bytes) {
        byte[] a = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            a[16 - bytes.length + i] = (byte) bytes[i];
        }
        return new ListenAddress.Inet(Family.INET6, a, port);
    }

    @Test
    void printsAddressesTheWayPeopleWriteThem() {
        assertEquals("127.0.0.1:8080", new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 8080).toString());
        assertEquals("[::1]:443", v6(443, 1).toString());
        assertEquals("[::]:80", v6(80).toString());
        assertEquals("[::ffff:127.0.0.1]:0", v6(0, 0xff, 0xff, 127, 0, 0, 1).toString(), "IPv4-mapped, as Go binds it");
        assertEquals("/run/app.sock", new ListenAddress.Unix("/run/app.sock", false).toString());
        assertEquals("@app", new ListenAddress.Unix("app", true).toString());
    }

    @Test
    void comparesByValue() {
        byte[] loopback = {127, 0, 0, 1};
        ListenAddress.Inet a = new ListenAddress.Inet(Family.INET, loopback, 80);
        loopback[3] = 2;
        assertEquals(new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 80), a);
        assertNotEquals(new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 81), a);
        assertTrue(v6(80).isWildcard());
    }
}
