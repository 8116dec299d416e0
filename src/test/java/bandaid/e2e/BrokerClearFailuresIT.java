package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 27, "clear failures": with {@code --broker=PATH}, no broker at PATH, one that refuses (a
 * broker of another version), one that answers something else or nothing, and a socket that
 * refuses this user each end in one line and an exit status whose systemd name fits
 * (69 UNAVAILABLE, 77 NOPERM), before the program starts: it never ran. Without {@code --broker}
 * (bandaid's default) a broker that refuses leaves bandaid in wrapper mode, serving, with one
 * line that says why; no broker leaves it there silently.
 */
class BrokerClearFailuresIT {
    private static final String FAKE = Bandaid.ROOT.resolve("src/test/resources/fake-broker.py").toString();
    private static final String OTHER_VERSION = "not a handoff bandaid 9.9.9 takes: not bandaid-handoff 2 (it began \"bandaid-handoff 1\")";

    @TempDir
    Path dir;

    @BeforeAll
    static void once() {
        assumeFalse(Bandaid.BROKER_MODE, "starts brokers of its own: runs once, in the run without the shared broker");
    }

    /** bandaid --broker=SOCKET with a passed socket, its program one that makes the file DIR/ran first thing. */
    private Bandaid.Run withBroker(Path socket) throws Exception {
        return Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- " + Bandaid.LAUNCHER + " --broker=" + socket + " -- "
                + Bandaid.PYTHON + " " + Programs.program("marker-serve.py") + " " + dir.resolve("ran") + " 127.0.0.1 0");
    }

    /** bandaid failed as {@code status} with exactly {@code line}, and its program never ran. */
    private void assertFailedBeforeTheProgram(Bandaid.Run run, int status, String line) {
        assertEquals(status, run.exitCode(), run.stderr());
        assertEquals(List.of(line), run.stderr().lines().toList());
        assertFalse(Files.exists(dir.resolve("ran")), "the program ran");
    }

    @Test
    void noBrokerAtThePath() throws Exception {
        Path socket = dir.resolve("none/broker.sock");
        assertFailedBeforeTheProgram(withBroker(socket), ExitStatus.UNAVAILABLE, "bandaid: no bandaid broker at " + socket + " (connect("
                + socket + "): ENOENT (No such file or directory)): systemctl enable --now bandaid-broker.socket starts one");
    }

    @Test
    void aSocketNobodyListensOn() throws Exception {
        // What a broker that died leaves: its socket file, bound by nobody.
        Path socket = dir.resolve("broker.sock");
        ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket)).close();
        assertFailedBeforeTheProgram(withBroker(socket), ExitStatus.UNAVAILABLE, "bandaid: no bandaid broker at " + socket + " (connect("
                + socket + "): ECONNREFUSED (Connection refused)): systemctl enable --now bandaid-broker.socket starts one");
    }

    @Test
    void aBrokerOfAnotherVersionRefuses() throws Exception {
        try (Fake fake = new Fake(dir, "refuse", OTHER_VERSION)) {
            assertFailedBeforeTheProgram(withBroker(fake.socket), ExitStatus.UNAVAILABLE,
                    "bandaid: the bandaid broker at " + fake.socket + " refused: " + OTHER_VERSION);
        }
    }

    @Test
    void aBrokerThatAnswersSomethingElse() throws Exception {
        try (Fake fake = new Fake(dir, "answer", "welcome")) {
            assertFailedBeforeTheProgram(withBroker(fake.socket), ExitStatus.UNAVAILABLE,
                    "bandaid: the bandaid broker at " + fake.socket + " answered welcome");
        }
    }

    @Test
    void aBrokerThatClosesWithoutAnAnswer() throws Exception {
        try (Fake fake = new Fake(dir, "close", "")) {
            assertFailedBeforeTheProgram(withBroker(fake.socket), ExitStatus.UNAVAILABLE,
                    "bandaid: the bandaid broker at " + fake.socket + " closed the connection without an answer");
        }
    }

    /**
     * A broker that refuses before it has read the handoff (over its limits) has closed the
     * connection by the time the handoff is sent: bandaid still reads and says why, not the
     * EPIPE or ECONNRESET of its send.
     */
    @Test
    void aBrokerThatRefusesBeforeReadingIsQuoted() throws Exception {
        try (Fake fake = new Fake(dir, "refuse-unread", OTHER_VERSION)) {
            assertFailedBeforeTheProgram(withBroker(fake.socket), ExitStatus.UNAVAILABLE,
                    "bandaid: the bandaid broker at " + fake.socket + " refused: " + OTHER_VERSION);
        }
    }

    /**
     * A broker busy with other handoffs (Broker.MOST_HANDSHAKES_PER_UID) is asked again, with
     * growing pauses, for Handover.BUSY_RETRY_WITHIN (5 s); one that stays busy is told about as
     * any refusal, and the program never ran.
     */
    @Test
    void aBrokerThatStaysBusyIsAskedAgainForFiveSecondsThenQuoted() throws Exception {
        String busy = "too many handoffs at once (at most 8 per uid, 64 in all): try again";
        try (Fake fake = new Fake(dir, "busy", busy)) {
            long start = System.nanoTime();
            Bandaid.Run run = withBroker(fake.socket);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertFailedBeforeTheProgram(run, ExitStatus.UNAVAILABLE, "bandaid: the bandaid broker at " + fake.socket + " refused: "
                    + busy + " (asked again for 5 s)");
            assertTrue(waited.compareTo(Duration.ofMillis(4500)) > 0 && waited.compareTo(Duration.ofSeconds(20)) < 0, waited.toString());
            long asked = Files.readAllLines(Path.of(fake.socket + ".connections")).size();
            assertTrue(asked >= 5 && asked <= 30, asked + " connections in 5 s");
        }
    }

    /** Handover.ANSWER_WITHIN: the one test here that waits it out (30 s), since bandaid must never hang. */
    @Test
    void aBrokerThatNeverAnswersIsGivenUpAfterThirtySeconds() throws Exception {
        try (Fake fake = new Fake(dir, "silent", "")) {
            long start = System.nanoTime();
            Bandaid.Run run = withBroker(fake.socket);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);
            assertFailedBeforeTheProgram(run, ExitStatus.UNAVAILABLE, "bandaid: the bandaid broker at " + fake.socket
                    + " did not answer within 30 s");
            assertTrue(waited.compareTo(Duration.ofSeconds(29)) > 0 && waited.compareTo(Duration.ofSeconds(50)) < 0, waited.toString());
        }
    }

    @Test
    void aSocketThatRefusesThisUser() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "runs bandaid as nobody");
        // The program could make its file here as nobody, if it ran.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        try (Fake fake = new Fake(dir, "silent", "")) {
            Files.setPosixFilePermissions(fake.socket, PosixFilePermissions.fromString("rw-------"));
            Bandaid.Run run = Bandaid.shell("exec setpriv --reuid=nobody --regid=nogroup --clear-groups " + Programs.PASS
                    + " tcp:127.0.0.1:0 -- " + Bandaid.LAUNCHER + " --broker=" + fake.socket + " -- " + Bandaid.PYTHON + " "
                    + Programs.program("marker-serve.py") + " " + dir.resolve("ran") + " 127.0.0.1 0");
            assertFailedBeforeTheProgram(run, ExitStatus.NOPERM, "bandaid: the bandaid broker at " + fake.socket
                    + " refuses this user: connect(" + fake.socket + "): EACCES (Permission denied)");
        }
    }

    /**
     * bandaid's default mode where the broker's own socket (/run/bandaid/broker.sock) is what
     * {@code setup} makes it, in a mount namespace of its own (a tmpfs on /run) so that no broker
     * of the machine's is asked: it serves marker-serve.py, and returns bandaid's lines.
     */
    private List<String> defaultMode(String setup) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "a mount namespace needs root");
        int port = Net.freePort();
        Path script = Files.writeString(dir.resolve("run.sh"), "set -e\nmount -t tmpfs tmpfs /run\nmkdir /run/bandaid\n" + setup + "\n"
                + "exec " + Programs.PASS + " tcp:127.0.0.1:" + port + " -- " + Bandaid.LAUNCHER + " -- " + Bandaid.PYTHON + " "
                + Programs.program("marker-serve.py") + " " + dir.resolve("ran") + " 127.0.0.1 " + port + "\n");
        try (Programs.Interactive run = new Programs.Interactive("exec unshare --mount --propagation private bash " + script)) {
            assertEquals("ready", run.line(), run.stderr());
            assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
            assertEquals(0, run.waitFor(), run.stderr());
            ExitStatus.assertNoStackTrace(run.stderr());
            return run.stderr().lines().filter(l -> l.startsWith("bandaid:")).toList();
        }
    }

    @Test
    void byDefaultNoBrokerMeansWrapperModeSilently() throws Exception {
        assertEquals(List.of(), defaultMode(""));
    }

    @Test
    void byDefaultASocketNobodyListensOnMeansWrapperModeSilently() throws Exception {
        assertEquals(List.of(), defaultMode(Bandaid.PYTHON + " -c 'import socket; socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)"
                + ".bind(\"/run/bandaid/broker.sock\")'"));
    }

    @Test
    void byDefaultABrokerThatRefusesMeansWrapperModeAndOneLineWhy() throws Exception {
        // The fake says "listening" once it listens; it ends after its one answer.
        List<String> lines = defaultMode("read -r listening < <(" + Bandaid.PYTHON + " " + FAKE + " /run/bandaid/broker.sock refuse '"
                + OTHER_VERSION + "')");
        assertEquals(List.of("bandaid: INFO: the bandaid broker at /run/bandaid/broker.sock refused: " + OTHER_VERSION
                + "; bandaid stays beside the program instead (wrapper mode)"), lines);
    }

    /** fake-broker.py at DIR/fake.sock, listening. */
    private static final class Fake implements AutoCloseable {
        final Path socket;
        private final Process process;

        Fake(Path dir, String mode, String text) throws IOException {
            socket = dir.resolve("fake.sock");
            process = Bandaid.process(List.of(Bandaid.PYTHON, FAKE, socket.toString(), mode, text))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String first = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertEquals("listening", first);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
