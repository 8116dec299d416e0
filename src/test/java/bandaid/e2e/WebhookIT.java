package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * webhook, a Go HTTP server from Debian: Go's runtime binds its default 0.0.0.0:P as [::]:P with
 * IPV6_V6ONLY=0 (favoriteAddrFamily: a wildcard listener is dual-stack), so its unit passes one
 * dual-stack socket, and IPv4 and IPv6 clients are served on it.
 */
class WebhookIT {
    private static final String WEBHOOK = "/usr/bin/webhook";
    private static final String HOOKS = Bandaid.ROOT.resolve("src/test/resources/servers/webhook/hooks.json").toString();

    @Test
    void servesBothFamiliesOnOnePassedDualStackSocket() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(WEBHOOK)), WEBHOOK + " is not installed (apt-get install webhook)");
        Net.assumeDualStackLoopback();
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "[::]:" + port),
                List.of("-v", "--", WEBHOOK, "-hooks", HOOKS, "-port", Integer.toString(port), "-verbose"))) {
            for (String host : List.of("127.0.0.1", "[::1]")) {
                HttpResponse<String> r = ServerProbe.get("http://" + host + ":" + port + "/hooks/hello");
                assertEquals(200, r.statusCode(), a.log());
                assertEquals("webhook ok", r.body(), a.log());
            }
            String passed = a.passedSocket(3);
            ProcessHandle webhook = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(webhook.pid(), 3);
            assertEquals(Set.of(passed), ListeningSockets.onPort(port), a.log());
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }
}
