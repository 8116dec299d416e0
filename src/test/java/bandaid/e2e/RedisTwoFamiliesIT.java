package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * redis-server binds 127.0.0.1 and ::1 on one port, two sockets of two families, and is passed
 * one socket for each: each bind() gets the passed socket of its own address.
 */
class RedisTwoFamiliesIT {
    private static final String REDIS = "/usr/bin/redis-server";

    @Test
    void answersPingOnBothPassedSockets(@TempDir Path dir) throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(
                List.of("-l", "127.0.0.1:" + port, "-l", "[::1]:" + port),
                List.of("-v", "--", REDIS, "--bind", "127.0.0.1", "::1", "--port", Integer.toString(port),
                        "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()))) {
            assertEquals("+PONG\r\n", ServerProbe.line("127.0.0.1", port, "PING\r\n"), a.log());
            assertEquals("+PONG\r\n", ServerProbe.line("::1", port, "PING\r\n"), a.log());

            // fd 3 is 127.0.0.1, fd 4 is [::1] (systemd-socket-activate passes them in -l order);
            // redis holds both, and they are the only sockets listening on the port.
            Set<String> passed = a.passedSockets(3, 4);
            ProcessHandle redis = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(redis.pid(), 3, 4);
            assertEquals(passed, ListeningSockets.onPort(port), a.log());
        }
    }
}
