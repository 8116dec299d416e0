package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** busybox httpd, which forks a child per connection, serves a file on the socket systemd passed. */
class BusyboxHttpdIT {

    @Test
    void servesAFileOnThePassedSocket(@TempDir Path dir) throws Exception {
        int port = Net.freePort();
        String content = "served by busybox httpd from " + dir + "\n";
        Files.writeString(dir.resolve("index.html"), content);
        String busybox = ServerConfigs.installed("/bin/busybox", "busybox");
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port),
                List.of("-v", "--", busybox, "httpd", "-f", "-v", "-p", "127.0.0.1:" + port, "-h", dir.toString()))) {
            // Twice: each connection is served by a child of its own, and the second must find
            // the listener still there.
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> response = Net.get("http://127.0.0.1:" + port + "/index.html");
                assertEquals(200, response.statusCode(), a.log());
                assertEquals(content, response.body(), a.log());
            }

            String passed = a.passedSocket(3);
            assertEquals(Set.of(passed), ListeningSockets.onPort(port), "listening on " + port + "\n" + a.log());
            ProcessHandle program = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(program.pid(), 3);
        }
    }
}
