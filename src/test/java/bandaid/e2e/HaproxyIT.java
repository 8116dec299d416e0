package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** haproxy, in the foreground, answers on the socket systemd passed with a frontend of its own. */
class HaproxyIT {

    @Test
    void frontendAnswersOnThePassedSocket(@TempDir Path dir) throws Exception {
        int port = Net.freePort();
        Path conf = ServerConfigs.render("haproxy/haproxy.cfg", dir.resolve("haproxy.cfg"),
                Map.of("PORT", Integer.toString(port), "BODY", "haproxy-" + port));
        String haproxy = ServerConfigs.installed("/usr/sbin/haproxy", "haproxy");
        // -db: stay in the foreground, no daemon, no master-worker.
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port),
                List.of("-v", "--", haproxy, "-db", "-f", conf.toString()))) {
            HttpResponse<String> response = Net.get("http://127.0.0.1:" + port + "/");
            assertEquals(200, response.statusCode(), a.log());
            assertEquals("haproxy-" + port + "\n", response.body(), a.log());

            String passed = a.passedSocket(3);
            assertEquals(Set.of(passed), ListeningSockets.onPort(port), "listening on " + port + "\n" + a.log());
            ProcessHandle program = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(program.pid(), 3);
        }
    }
}
