package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A server that connects to another service (here the test's own listener, "upstream") before it
 * creates and binds its listening socket, as servers do that fetch configuration or open a
 * database connection at start-up.
 */
class OutboundBeforeBindIT {
    private static final String SERVER = Bandaid.ROOT.resolve("src/test/resources/servers/outbound_then_listen.py").toString();
    /** EISCONN (errno-base.h), as python prints it. */
    private static final String EISCONN = "errno 106";

    /** --match=address (the default): socket() is not trapped; only the listener's bind() gets the passed socket. */
    @Test
    void outboundConnectionWorksAndTheListenerGetsThePassedSocket() throws Exception {
        try (Upstream upstream = new Upstream()) {
            int port = Net.freePort();
            try (Bandaid.Activated a = start(port, upstream, "--match=address")) {
                assertEquals("served; upstream said: hi from upstream\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(30)), a.log());
                assertEquals("hello upstream", upstream.received(), a.log());

                // bandaid logs a decision after answering the call: the answer may come first.
                a.awaitLog("bind(127.0.0.1:" + port + ")", Duration.ofSeconds(10));
                String log = a.log();
                // The one and only passed socket went to the listener's bind(), nothing to the outbound socket.
                List<String> handedOver = log.lines().filter(l -> l.startsWith("bandaid:") && l.contains("-> passed")).toList();
                assertEquals(1, handedOver.size(), log);
                assertTrue(handedOver.getFirst().startsWith("bandaid: DEBUG: bind(127.0.0.1:" + port + ") from python3["), log);
                ProcessHandle python = a.program(Duration.ofSeconds(5));
                a.assertServedOnPassed(python.pid(), 3);
            }
        }
    }

    /**
     * KNOWN FAILURE of --match=socket, asserted as it is: the outbound socket() is the first
     * AF_INET stream socket the program makes, so it gets the passed listening socket, and
     * connect() on a listening TCP socket fails with EISCONN (__inet_stream_connect in
     * net/ipv4/af_inet.c: sk_state is TCP_LISTEN, not TCP_CLOSE). The upstream never hears from
     * the program. The program is still served: its listening socket() finds nothing unclaimed
     * and is its own, and its bind() to the passed address is answered with the passed socket.
     */
    @Test
    void matchSocketHandsTheListenerToTheOutboundSocket() throws Exception {
        try (Upstream upstream = new Upstream()) {
            int port = Net.freePort();
            try (Bandaid.Activated a = start(port, upstream, "--match=socket")) {
                assertEquals("served; upstream said: nothing (OSError)\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(30)), a.log());

                // bandaid logs a decision after answering the call: the answer may come first.
                a.awaitLog("bind(127.0.0.1:" + port + ")", Duration.ofSeconds(10));
                String log = a.log();
                assertTrue(log.contains("outbound failed: OSError(106, ") && log.contains(EISCONN), log);
                List<String> handedOver = log.lines().filter(l -> l.startsWith("bandaid:") && l.contains("-> passed")).toList();
                assertEquals(2, handedOver.size(), log);
                assertTrue(handedOver.stream().anyMatch(l -> l.startsWith("bandaid: DEBUG: socket(AF_INET, SOCK_STREAM) from python3[")), log);
                assertTrue(handedOver.stream().anyMatch(l -> l.startsWith("bandaid: DEBUG: bind(127.0.0.1:" + port + ") from python3[")), log);
                assertEquals(null, upstream.receivedWithin(Duration.ofMillis(200)), "the upstream was reached after all:\n" + log);
            }
        }
    }

    private static Bandaid.Activated start(int port, Upstream upstream, String match) throws IOException, InterruptedException {
        return Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port),
                List.of("-v", match, "--", Bandaid.PYTHON, SERVER, Integer.toString(upstream.port()), Integer.toString(port)));
    }

    /** The service the program talks to first: reads one line, answers "hi from upstream". */
    private static final class Upstream implements AutoCloseable {
        private final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final CompletableFuture<String> received = new CompletableFuture<>();
        private final Thread thread = Thread.ofVirtual().start(this::serveOne);

        Upstream() throws IOException {
        }

        int port() {
            return server.getLocalPort();
        }

        private void serveOne() {
            try (Socket s = server.accept()) {
                s.setSoTimeout(10_000);
                String line = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
                OutputStream out = s.getOutputStream();
                out.write("hi from upstream\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                received.complete(line);
            } catch (IOException e) {
                received.completeExceptionally(e);
            }
        }

        /** The line the program sent; fails if it sent none within 10 s. */
        String received() throws Exception {
            return received.get(10, TimeUnit.SECONDS);
        }

        /** The line the program sent, or null if it connected to nobody within {@code wait}. */
        String receivedWithin(Duration wait) throws Exception {
            try {
                return received.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return null;
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            server.close();
            thread.join(5_000);
        }
    }
}
