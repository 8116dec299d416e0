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
 * node listens on [::] dual-stack (ipv6Only: false: libuv sets IPV6_V6ONLY=0 before bind()) and
 * is passed one [::] socket: it serves IPv4 and IPv6 clients on that one passed socket.
 */
class NodeDualStackIT {
    private static final String NODE = "/usr/bin/node";
    private static final String SCRIPT = Bandaid.ROOT.resolve("src/test/resources/servers/node/dual-stack.js").toString();

    @Test
    void servesIpv4AndIpv6OnOnePassedDualStackSocket() throws Exception {
        // systemd-socket-activate leaves IPV6_V6ONLY at the kernel's default (bindv6only): only
        // with 0 is its [::] socket dual-stack, as a .socket unit's BindIPv6Only=both makes it.
        assumeTrue(Files.readString(Path.of("/proc/sys/net/ipv6/bindv6only")).strip().equals("0"),
                "net.ipv6.bindv6only=1: systemd-socket-activate's [::] socket would be IPv6-only");
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "[::]:" + port),
                List.of("-v", "--", NODE, SCRIPT, Integer.toString(port)))) {
            HttpResponse<String> v4 = ServerProbe.get("http://127.0.0.1:" + port + "/");
            assertEquals(200, v4.statusCode(), a.log());
            assertEquals("node ok from ::ffff:127.0.0.1\n", v4.body(), a.log());

            HttpResponse<String> v6 = ServerProbe.get("http://[::1]:" + port + "/");
            assertEquals(200, v6.statusCode(), a.log());
            assertEquals("node ok from ::1\n", v6.body(), a.log());

            // Both were answered on the passed socket: node holds it (same inode as bandaid's
            // fd 3), and it is the only socket listening on the port.
            String passed = a.passedSocket(3);
            ProcessHandle node = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(node.pid(), 3);
            assertEquals(Set.of(passed), ListeningSockets.onPort(port), a.log());
            // node's IPV6_V6ONLY=0 is the passed socket's too: nothing to warn about.
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }
}
