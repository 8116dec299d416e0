package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * unbound with two threads and so-reuseport: each thread binds its own socket to 127.0.0.1:P and
 * [::1]:P, TCP and UDP, eight binds of four addresses. Each bind of an address gets the one
 * passed socket of that address and type, so both threads serve on it.
 */
class UnboundReuseportIT {
    private static final String UNBOUND = "/usr/sbin/unbound";

    @Test
    void everyThreadsBindGetsThePassedSocketOfItsAddressAndType(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(UNBOUND)), UNBOUND + " is not installed (apt-get install unbound)");
        Net.assumeDualStackLoopback();
        int port = Net.freePort();
        Path conf = ServerConfigs.render("unbound/unbound.conf", dir.resolve("unbound.conf"),
                Map.of("PORT", Integer.toString(port), "DIR", dir.toString()));
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("tcp:127.0.0.1:" + port + "=dns-tcp",
                "tcp6:[::1]:" + port + "=dns-tcp6", "udp:127.0.0.1:" + port + "=dns-udp", "udp6:[::1]:" + port + "=dns-udp6"),
                List.of("-v", "--", UNBOUND, "-d", "-c", conf.toString()))) {
            Dns.answersOnBothFamilies(a, port, "test.example", "10.1.2.3");
            DnsmasqWildcardIT.awaitHandouts(a, 8);
            String log = a.log();
            for (int fd = 3; fd <= 6; fd++) {
                String passed = "-> passed fd " + fd + " ";
                assertEquals(2, log.lines().filter(l -> l.startsWith("bandaid: DEBUG: bind(") && l.contains(passed)).count(),
                        "two threads, one passed socket: fd " + fd + "\n" + log);
            }
            assertEquals(a.passedSockets(3, 4),
                    ListeningSockets.onPort(port), "no socket of unbound's own listens\n" + log);
            assertTrue(log.lines().noneMatch(l -> l.startsWith("bandaid: WARN")), log);
        }
    }
}
