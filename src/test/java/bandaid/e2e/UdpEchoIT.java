package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A UDP server binding 127.0.0.1:P gets the datagram socket systemd-socket-activate passed.
 * systemd-socket-activate starts bandaid only when the first datagram makes the socket readable;
 * that datagram stays queued on the passed socket, so the server reads it after start-up.
 */
class UdpEchoIT {
    private static final String ECHO = Bandaid.ROOT.resolve("src/test/resources/servers/udp_echo.py").toString();

    @Test
    void echoesOnThePassedDatagramSocket() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("--datagram", "-l", "127.0.0.1:" + port),
                List.of("-v", "--", Bandaid.PYTHON, ECHO, "127.0.0.1", Integer.toString(port)))) {
            assertEquals("echo: ping", Clients.udpExchange("127.0.0.1", port, "ping", Duration.ofSeconds(30)), a.log());
            assertEquals("echo: again", Clients.udpExchange("127.0.0.1", port, "again", Duration.ofSeconds(10)), a.log());

            // bandaid logs a decision after answering the call: the answer may come first.
            a.awaitLog("-> passed fd 3", Duration.ofSeconds(10));
            String log = a.log();
            assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: DEBUG: bind(127.0.0.1:" + port + ") from python3[")
                    && l.contains("-> passed fd 3")).count(), log);
            ProcessHandle python = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(python.pid(), 3);
        }
    }
}
