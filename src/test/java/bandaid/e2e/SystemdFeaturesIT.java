package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What systemd users get besides the wrapping itself: inspect, journald priorities, exit when idle, unit files. */
class SystemdFeaturesIT {

    @Test
    void inspectListsWhatWasPassed(@TempDir Path dir) throws Exception {
        Bandaid.assumeWrapperMode("bandaid inspect hands nothing over");
        Path sock = dir.resolve("app.sock");
        Bandaid.Run run = Bandaid.shell(Programs.PASS + " tcp:127.0.0.1:0=web 'tcp6:[::1]:0' unix:" + sock + "=app -- \"$BANDAID\" inspect");
        assertEquals(0, run.exitCode(), run.stderr());
        List<String> lines = run.stdout().lines().toList();
        assertEquals(4, lines.size(), run.stdout());
        assertEquals("Received 3 descriptors via the environment.", lines.get(0));
        assertTrue(lines.get(1).matches("fd 3 \"web\": AF_INET SOCK_STREAM 127\\.0\\.0\\.1:\\d+, listening, blocking"), lines.get(1));
        assertTrue(lines.get(2).matches("fd 4 \"unknown\": AF_INET6 SOCK_STREAM \\[::1]:\\d+, listening, blocking, IPv6 only"), lines.get(2));
        assertEquals("fd 5 \"app\": AF_UNIX SOCK_STREAM " + sock + ", listening, blocking", lines.get(3));
    }

    @Test
    void linesCarryTheirPriorityWhenStderrIsTheJournal(@TempDir Path dir) throws Exception {
        Path err = dir.resolve("journal");
        Files.createFile(err);
        // JOURNAL_STREAM names stderr's device:inode when systemd connects it to the journal.
        Bandaid.Run run = Bandaid.shell("export JOURNAL_STREAM=$(stat -c %d:%i " + err + "); exec \"$BANDAID\" -- true 2>>" + err
                + "; ");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of("<6>bandaid: LISTEN_FDS is not set: running true without socket activation"), Files.readAllLines(err));
        Bandaid.Run bad = Bandaid.shell("export JOURNAL_STREAM=$(stat -c %d:%i " + err + "); exec \"$BANDAID\" 2>>" + err);
        assertEquals(64, bad.exitCode());
        assertEquals("<3>bandaid: no program given: usage is bandaid [OPTIONS] [--] PROGRAM [ARGS...]", Files.readAllLines(err).getLast());
        Bandaid.Run plain = Bandaid.shell("export JOURNAL_STREAM=1:2; exec \"$BANDAID\" -- true");
        assertEquals(List.of("bandaid: INFO: LISTEN_FDS is not set: running true without socket activation"), plain.bandaidLines());
    }

    @Test
    void exitIdleTimeStopsTheProgramAfterItsLastConnection() throws Exception {
        Bandaid.assumeWrapperMode(Bandaid.IDLE_STOP_IN_BROKER_MODE);
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port),
                List.of("--exit-idle-time=2s", "--", Bandaid.PYTHON, "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1"))) {
            assertEquals(200, Net.get("http://127.0.0.1:" + port + "/").statusCode(), a.log());
            long served = System.nanoTime();
            assertTrue(a.process().waitFor(20, TimeUnit.SECONDS), "still running:\n" + a.log());
            assertTrue(System.nanoTime() - served >= Duration.ofMillis(1500).toNanos(), "stopped before the idle time:\n" + a.log());
            assertEquals(0, a.process().exitValue(), a.log());
            assertTrue(a.log().contains("bandaid: INFO: No connection for 2s: stopping the program (--exit-idle-time);"
                    + " the next connection starts it again"), a.log());
        }
    }

    @Test
    void exitIdleTimeRefusesAUnixDatagramSocket() throws Exception {
        Path socket = Files.createTempDirectory("bandaid-dgram").resolve("log.sock");
        Bandaid.Run run = Bandaid.shell(Programs.PASS + " unixgram:" + socket + "=log -- \"$BANDAID\" --exit-idle-time=5s -- true");
        assertEquals(64, run.exitCode(), run.stderr());
        assertEquals(List.of("bandaid: --exit-idle-time cannot tell when passed fd 3 \"log\" (" + socket + ") is in use: datagrams on a"
                + " unix socket leave no trace bandaid can read, so the program would be stopped in the middle of its traffic; pass"
                + " stream, seqpacket or UDP sockets only, or run without --exit-idle-time"), run.bandaidLines());
        Files.deleteIfExists(socket);
        Files.delete(socket.getParent());
    }

    @Test
    void unitPrintsAPairThatPointsAtThisLauncher() throws Exception {
        Bandaid.assumeWrapperMode("bandaid unit hands nothing over");
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" unit web --listen 127.0.0.1:8080 -- python3 -m http.server");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(run.stdout().contains("ExecStart=" + Bandaid.LAUNCHER + " -- /"), run.stdout());
        assertTrue(run.stdout().contains("\nListenStream=127.0.0.1:8080\n"), run.stdout());
    }
}
