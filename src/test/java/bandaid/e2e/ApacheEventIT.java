package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * apache2 with mpm_event and "Listen P", which binds [::]:P dual-stack (IPV6_V6ONLY=0): one
 * dual-stack socket is its unit (ListenStream=P). Its child processes, running as www-data,
 * accept on the passed socket they inherit.
 */
class ApacheEventIT {
    private static final String APACHE = "/usr/sbin/apache2";

    @Test
    void servesBothFamiliesFromItsChildrenOnThePassedDualStackSocket(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(APACHE)) && Files.exists(Path.of("/usr/lib/apache2/modules/mod_mpm_event.so")),
                "apache2 is not installed (apt-get install apache2)");
        Net.assumeDualStackLoopback();
        int port = Net.freePort();
        // The children run as www-data: they must reach the document root.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectory(dir.resolve("htdocs"));
        Files.writeString(dir.resolve("htdocs/ok.txt"), "apache ok\n");
        Path conf = ServerConfigs.render("apache/apache2.conf", dir.resolve("apache2.conf"),
                Map.of("PORT", Integer.toString(port), "DIR", dir.toString()));
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "[::]:" + port),
                List.of("-v", "--", APACHE, "-DFOREGROUND", "-f", conf.toString()))) {
            for (String host : List.of("127.0.0.1", "[::1]")) {
                HttpResponse<String> r = ServerProbe.get("http://" + host + ":" + port + "/ok.txt");
                assertEquals(200, r.statusCode(), a.log());
                assertEquals("apache ok\n", r.body(), a.log());
            }
            String passed = a.passedSocket(3);
            ProcessHandle apache = a.program(Duration.ofSeconds(5));
            List<ProcessHandle> children = apache.children().toList();
            assertTrue(!children.isEmpty() && children.stream().allMatch(c -> holds(c, passed)),
                    "apache's children do not all hold the passed " + passed + "\n" + a.log());
            assertEquals(Set.of(passed), ListeningSockets.onPort(port), a.log());
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }

    private static boolean holds(ProcessHandle process, String socket) {
        try {
            return Net.sockets(process.pid()).contains(socket);
        } catch (IOException gone) {
            return false;
        }
    }
}
