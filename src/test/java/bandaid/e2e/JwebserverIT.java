package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JDK's own jwebserver (a JVM: many threads, its socket made by the JDK's NIO, an AF_INET6
 * socket binding ::ffff:127.0.0.1) serves a file on the socket systemd passed.
 */
class JwebserverIT {
    /** The JDK running the tests is >= 22 (the build needs it), so it has jwebserver (JDK 18+). */
    private static final Path JWEBSERVER = Path.of(System.getProperty("java.home"), "bin", "jwebserver");

    @TempDir
    Path dir;

    @Test
    void servesAFileOnThePassedSocket() throws Exception {
        assertTrue(Files.isExecutable(JWEBSERVER), JWEBSERVER + " is missing");
        Files.writeString(dir.resolve("hello.txt"), "hello from jwebserver\n");
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port),
                List.of("-v", "--", JWEBSERVER.toString(), "-b", "127.0.0.1", "-p", Integer.toString(port), "-d", dir.toString()))) {
            HttpResponse<String> response = Net.get("http://127.0.0.1:" + port + "/hello.txt");
            assertEquals(200, response.statusCode(), a.log());
            assertEquals("hello from jwebserver\n", response.body(), a.log());

            // bandaid logs a decision after answering the call: the answer may come first.
            a.awaitLog("-> passed fd 3", Duration.ofSeconds(10));
            String log = a.log();
            assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: DEBUG: bind(") && l.contains("-> passed fd 3")).count(), log);
            ProcessHandle jwebserver = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(jwebserver.pid(), 3);
        }
    }
}
