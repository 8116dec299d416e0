package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** lighttpd serves a file from a temporary directory on the socket systemd passed. */
class LighttpdIT {

    @Test
    void servesAFileOnThePassedSocket(@TempDir Path dir) throws Exception {
        int port = Net.freePort();
        Files.createDirectory(dir.resolve("www"));
        String content = "served by lighttpd from " + dir + "\n";
        Files.writeString(dir.resolve("www/hello.txt"), content);
        Path conf = ServerConfigs.render("lighttpd/lighttpd.conf", dir.resolve("lighttpd.conf"),
                Map.of("DIR", dir.toString(), "PORT", Integer.toString(port)));
        String lighttpd = ServerConfigs.installed("/usr/sbin/lighttpd", "lighttpd");
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port),
                List.of("-v", "--", lighttpd, "-D", "-f", conf.toString()))) {
            HttpResponse<String> response = Net.get("http://127.0.0.1:" + port + "/hello.txt");
            assertEquals(200, response.statusCode(), a.log());
            assertEquals(content, response.body(), a.log());
            assertEquals("text/plain", response.headers().firstValue("Content-Type").orElse(""), a.log());

            String passed = a.passedSocket(3);
            assertEquals(Set.of(passed), ListeningSockets.onPort(port), "listening on " + port + "\n" + a.log());
            ProcessHandle program = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(program.pid(), 3);
        }
    }
}
