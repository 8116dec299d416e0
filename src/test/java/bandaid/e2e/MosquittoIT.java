package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mosquitto's "listener P" binds 0.0.0.0:P and [::]:P (IPV6_V6ONLY=1): the split unit passes
 * both, and an MQTT client on each family publishes a retained message and reads it back.
 */
class MosquittoIT {
    private static final String MOSQUITTO = "/usr/sbin/mosquitto";
    private static final String PUB = "/usr/bin/mosquitto_pub";
    private static final String SUB = "/usr/bin/mosquitto_sub";

    @Test
    void publishesAndSubscribesOnBothPassedSockets(@TempDir Path dir) throws Exception {
        assumeTrue(Files.isExecutable(Path.of(MOSQUITTO)) && Files.isExecutable(Path.of(PUB)),
                "mosquitto is not installed (apt-get install mosquitto mosquitto-clients)");
        Net.assumeDualStackLoopback();
        int port = Net.freePort();
        Path conf = ServerConfigs.render("mosquitto/mosquitto.conf", dir.resolve("mosquitto.conf"), Map.of("PORT", Integer.toString(port)));
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("--ipv6-only", "tcp:0.0.0.0:" + port + "=mqtt",
                "tcp6:[::]:" + port + "=mqtt6"), List.of("-v", "--", MOSQUITTO, "-c", conf.toString()))) {
            for (String host : List.of("127.0.0.1", "::1")) {
                String topic = "bandaid/" + host;
                Command.untilItSucceeds(List.of(PUB, "-h", host, "-p", Integer.toString(port), "-t", topic, "-m", "hello " + host, "-r"),
                        Map.of());
                Command.Result sub = Command.run(List.of(SUB, "-h", host, "-p", Integer.toString(port), "-t", topic, "-C", "1", "-W", "10"),
                        Map.of(), Duration.ofSeconds(15));
                assertEquals("hello " + host, sub.output().strip(), a.log());
            }
            ProcessHandle mosquitto = a.program(Duration.ofSeconds(5));
            Set<String> passed = a.passedSockets(3, 4);
            a.assertServedOnPassed(mosquitto.pid(), 3, 4);
            assertEquals(passed, ListeningSockets.onPort(port), a.log());
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }
}
