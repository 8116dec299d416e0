package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * --exit-idle-time counts what a user would call activity: a connection whose client has gone
 * (the program keeps it, in CLOSE_WAIT) is none, and datagrams a UDP server reads are. (issue 23,
 * item 6)
 */
class IdleActivityIT {
    private static final Duration IDLE = Duration.ofSeconds(2);
    /** Room for the looks (a fifth of the idle time apart), the stop and a loaded machine. */
    private static final Duration MARGIN = Duration.ofSeconds(8);
    private static final String KEEPS = Programs.program("keeps-connections.py");
    private static final String TCP_AND_UDP = Bandaid.ROOT.resolve("src/test/resources/servers/tcp_and_udp.py").toString();

    /**
     * @param counting how bandaid finds the program's connections: by duplicates of its sockets,
     *                 or (pidfd_getfd refused, as a unit's SystemCallFilter= does) from /proc/net
     */
    @BeforeEach
    void wrapperMode() {
        Bandaid.assumeWrapperMode(Bandaid.IDLE_STOP_IN_BROKER_MODE);
    }

    @ParameterizedTest(name = "counting {0}")
    @ValueSource(strings = {"by duplicates", "from /proc/net"})
    void aConnectionWhoseClientHasGoneDoesNotKeepTheProgramRunning(String counting) throws Exception {
        int port = Net.freePort();
        String deny = counting.equals("by duplicates") ? "" : Bandaid.PYTHON + " " + Programs.DENY + " pidfd_getfd ";
        try (Programs.Interactive run = new Programs.Interactive("exec " + deny + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" --exit-idle-time=" + IDLE.toSeconds() + "s -- " + Bandaid.PYTHON + " " + KEEPS + " 127.0.0.1 " + port)) {
            assertEquals("ready", run.line(), run.stderr());
            try (Socket client = new Socket("127.0.0.1", port)) {
                OutputStream out = client.getOutputStream();
                out.write("a request the server never reads\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertEquals("accepted", run.line(), run.stderr());
            }
            long gone = System.nanoTime();
            assertTrue(run.process.waitFor(IDLE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS),
                    "the program still runs " + IDLE.plus(MARGIN) + " after its only client left; stderr:\n" + run.stderr());
            assertEquals(0, run.process.exitValue(), run.stderr());
            assertTrue(System.nanoTime() - gone >= IDLE.minusMillis(500).toNanos(), "stopped before the idle time:\n" + run.stderr());
            assertTrue(run.stderr().contains("bandaid: INFO: No connection for 2s: stopping the program (--exit-idle-time);"
                    + " the next connection starts it again"), run.stderr());
        }
    }

    @Test
    void aServerOnTcpAndUdpIsNotStoppedWhileDatagramsComeAndIsOnceTheyStop() throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port + " udp:127.0.0.1:" + port
                + " -- \"$BANDAID\" --exit-idle-time=" + IDLE.toSeconds() + "s -- " + Bandaid.PYTHON + " " + TCP_AND_UDP + " 127.0.0.1 " + port)) {
            assertEquals("ready", run.line(), run.stderr());
            // Three times the idle time of datagrams only, one every 400 ms: no connection all along.
            long until = System.nanoTime() + IDLE.multipliedBy(3).toNanos();
            for (int i = 0; System.nanoTime() < until; i++) {
                assertTrue(run.process.isAlive(), "stopped in the middle of its UDP traffic, after datagram " + i + ":\n" + run.stderr());
                assertEquals("echo: " + i, Clients.udpExchange("127.0.0.1", port, Integer.toString(i), Duration.ofSeconds(5)), run.stderr());
                Thread.sleep(400);
            }
            long last = System.nanoTime();
            assertTrue(run.process.waitFor(IDLE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS),
                    "the program still runs " + IDLE.plus(MARGIN) + " after the last datagram; stderr:\n" + run.stderr());
            assertEquals(0, run.process.exitValue(), run.stderr());
            assertTrue(System.nanoTime() - last >= IDLE.minusMillis(500).toNanos(), "stopped before the idle time:\n" + run.stderr());
            assertTrue(run.stderr().contains("bandaid: INFO: No connection or datagram for 2s: stopping the program"
                    + " (--exit-idle-time); the next connection or datagram starts it again"), run.stderr());
        }
    }

    @Test
    void aUdpOnlyServerMayStopWhenIdle() throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " udp:127.0.0.1:" + port
                + " -- \"$BANDAID\" --exit-idle-time=" + IDLE.toSeconds() + "s -- " + Bandaid.PYTHON + " "
                + Bandaid.ROOT.resolve("src/test/resources/servers/udp_echo.py") + " 127.0.0.1 " + port)) {
            assertEquals("bound", run.line(), run.stderr());
            assertEquals("echo: one", Clients.udpExchange("127.0.0.1", port, "one", Duration.ofSeconds(5)), run.stderr());
            assertFalse(run.process.waitFor(IDLE.minusMillis(500).toMillis(), TimeUnit.MILLISECONDS), run.stderr());
            assertEquals("echo: two", Clients.udpExchange("127.0.0.1", port, "two", Duration.ofSeconds(5)), run.stderr());
            assertTrue(run.process.waitFor(IDLE.plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS), run.stderr());
            assertEquals(0, run.process.exitValue(), run.stderr());
            assertTrue(run.stderr().contains("bandaid: INFO: No datagram for 2s: stopping the program (--exit-idle-time);"
                    + " the next datagram starts it again"), run.stderr());
        }
    }
}
