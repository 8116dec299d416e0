package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * bandaid and the program in a network namespace of their own with nothing in it but a down
 * loopback (unshare --net, what PrivateNetwork=yes and podman --network=none make), the passed
 * socket in the host's: the program serves on it, sees the client's own address, and cannot
 * reach anything; --exit-idle-time counts the connections it holds, which bandaid's /proc/net
 * (the empty namespace's) never shows.
 */
class PrivateNetworkIT {
    /** Tries to reach outside, says how that went, then serves HTTP and answers each GET with the client's address. */
    private static final String SERVER = Bandaid.ROOT.resolve("src/test/resources/servers/client_address.py").toString();

    @BeforeAll
    static void needsRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "unshare --net needs root");
    }

    private static Bandaid.Activated start(int port, String... options) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("unshare", "--net", Bandaid.SCRIPT));
        command.addAll(List.of(options));
        command.addAll(List.of("--", Bandaid.PYTHON, SERVER, Integer.toString(port)));
        return Bandaid.Activated.startCommand(List.of("-l", "127.0.0.1:" + port), command, java.util.Map.of());
    }

    @Test
    void servesTheClientsOwnAddressAndCannotReachAnything() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = start(port)) {
            try (Socket client = new Socket()) {
                client.bind(new InetSocketAddress("127.0.0.7", 0)); // any 127/8 address is loopback's
                client.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                assertEquals("127.0.0.7", request(client), a.log());
            }
            a.awaitLog("outbound:", Duration.ofSeconds(10));
            assertTrue(a.log().contains("outbound: Network is unreachable"), a.log());
        }
    }

    @Test
    void anOpenConnectionKeepsTheProgramRunningPastTheIdleTime() throws Exception {
        Bandaid.assumeWrapperMode(Bandaid.IDLE_STOP_IN_BROKER_MODE);
        int port = Net.freePort();
        try (Bandaid.Activated a = start(port, "--exit-idle-time=2s")) {
            try (Socket held = new Socket()) {
                held.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                assertFalse(a.process().waitFor(6, TimeUnit.SECONDS), "stopped while a connection was open:\n" + a.log());
                assertEquals("127.0.0.1", request(held), a.log());
            }
            long closed = System.nanoTime();
            assertTrue(a.process().waitFor(20, TimeUnit.SECONDS), "still running after the connection closed:\n" + a.log());
            assertTrue(System.nanoTime() - closed >= Duration.ofMillis(1500).toNanos(), "stopped before the idle time:\n" + a.log());
            assertEquals(0, a.process().exitValue(), a.log());
            assertTrue(a.log().contains("bandaid: INFO: No connection for 2s: stopping the program (--exit-idle-time)"), a.log());
        }
    }

    /** One GET on an open connection; the body is the address the server saw. */
    private static String request(Socket s) throws Exception {
        s.setSoTimeout(10_000);
        OutputStream out = s.getOutputStream();
        out.write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        String response = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
}
