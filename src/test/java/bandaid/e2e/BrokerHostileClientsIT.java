package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 27, "one service cannot hurt another": anyone on the host may connect to the broker, and
 * clients that no wrapper would be (src/test/resources/broker-client.py, run as nobody) are each
 * refused with one line, on their socket and in the broker's log, and nothing else: no fd and no
 * thread left in the broker, and a real service, started through the broker before them and
 * after, is answered without waiting for them.
 */
class BrokerHostileClientsIT {
    private static final String CLIENT = Bandaid.ROOT.resolve("src/test/resources/broker-client.py").toString();
    private static final List<String> NOBODY = List.of("--reuid=nobody", "--regid=nogroup", "--clear-groups");
    /** Broker.HANDSHAKE_WITHIN: how long a client has to send its handoff. */
    private static final Duration HANDSHAKE = Duration.ofSeconds(5);
    /** How long the broker may take to give back what a client made it hold. */
    private static final Duration SETTLE = Duration.ofSeconds(20);

    private static TestBroker broker;
    /** A python server started through the broker before any hostile client: each request makes it bind() once more. */
    private static Bandaid.Activated before;
    private static int beforePort;
    private static long baselineFds;
    private static long baselineThreads;

    @BeforeAll
    static void aBrokerAndAServiceOfItsOwn() throws Exception {
        assumeFalse(Bandaid.BROKER_MODE, "starts a broker of its own: runs once, in the run without the shared broker");
        broker = TestBroker.start();
        beforePort = Net.freePort();
        before = Bandaid.Activated.startCommand(List.of("-l", "127.0.0.1:" + beforePort), List.of(broker.launcher(), "--",
                Bandaid.PYTHON, Programs.program("bind-timer.py"), "127.0.0.1", Integer.toString(beforePort)), Map.of());
        assertTrue(bindTime().toMillis() < 10_000, before.log());
        // A first refusal loads what refusing needs; only then is the broker's baseline taken.
        nobody("garbage");
        awaitSettled();
        baselineFds = broker.openFds();
        baselineThreads = brokerThreads();
    }

    @AfterAll
    static void stop() throws Exception {
        if (before != null) {
            before.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void theServiceStillAnswers() throws Exception {
        bindTime();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "garbage | not a handoff bandaid 0.1.0 takes: not bandaid-handoff 1 (it began \"",
            "other-version | not a handoff bandaid 0.1.0 takes: not bandaid-handoff 1 (it began \"bandaid-handoff 2\")",
            "oversized | not a handoff bandaid 0.1.0 takes: more than 16384 bytes, or more fds than one message carries",
            "truncated | not a handoff bandaid 0.1.0 takes: the last line is cut",
            "pipe-listener | its first fd is not a seccomp listener",
            "udp-listener | its first fd is not a seccomp listener",
            "file-socket | passed fd 3 \"web\" is not a socket",
            "connected-socket | passed fd 3 \"web\" is a connected SOCK_STREAM socket, not a listening one",
            "too-many-fds | the handoff names 1 passed sockets but came with 253 fds"})
    void aMalformedHandoffIsRefusedWithOneLineAndNothingElse(String hostile, String why) throws Exception {
        Client client = nobody(hostile);
        String refusal = client.onlyAnswer();
        assertTrue(refusal.startsWith("answer: refused: " + why), refusal);
        client.assertOneWarning(why);
        assertNothingLeft();
    }

    @Test
    void aClientThatSaysNothingIsRefusedAfterTheHandshakeTimeAndHoldsUpNobody() throws Exception {
        Duration alone = firstAnswerOfANewService();
        long start = System.nanoTime();
        try (Background silent = Background.nobody("silent")) {
            silent.awaitLine("connected", Duration.ofSeconds(30));
            // Meanwhile the service is answered at once, and a new one is taken without waiting for it.
            Duration bind = bindTime();
            assertTrue(bind.toMillis() < 1000, "a trapped bind waited " + bind + " for a client that says nothing");
            Duration first = firstAnswerOfANewService();
            assertTrue(first.compareTo(alone.plusSeconds(2)) < 0, "a new service took " + first + " with a client that says nothing, "
                    + alone + " alone");
            Client client = silent.finish();
            assertEquals("answer: refused: no handoff within 5 s", client.onlyAnswer());
            assertTrue(System.nanoTime() - start >= HANDSHAKE.minusMillis(500).toNanos(), "refused before the handshake time");
            client.assertOneWarning("no handoff within 5 s");
        }
        assertNothingLeft();
    }

    /**
     * Thousands of connections at once (the first 8 held without a word, as many as a uid may
     * have handshakes with the broker; the rest refused at once): the service started before
     * answers its trapped calls promptly throughout, and a service started meanwhile is answered as
     * fast as one started without them, not after the held connections' 5 s.
     */
    @Test
    void aFloodOfConnectionsDelaysNoOtherService() throws Exception {
        int connections = 2000;
        Duration alone = firstAnswerOfANewService();
        Duration bindAlone = bindTime();
        Duration during;
        List<Duration> binds = new ArrayList<>();
        Client client;
        try (Background flood = Background.nobody("silent-many", Integer.toString(connections))) {
            flood.awaitLine("connected " + connections, Duration.ofSeconds(60));
            during = firstAnswerOfANewService();
            for (int i = 0; i < 5; i++) {
                binds.add(bindTime());
            }
            client = flood.finish();
        }
        String measured = "first answer of a new service alone " + alone + ", during the flood " + during
                + "; a trapped bind alone " + bindAlone + ", during the flood " + binds;
        System.out.println("BrokerHostileClientsIT: " + measured);
        assertTrue(during.compareTo(alone.plusSeconds(3)) < 0 && during.compareTo(HANDSHAKE) < 0, measured);
        assertTrue(binds.stream().allMatch(b -> b.toMillis() < 1000), measured);
        assertEquals(8, client.answers().stream().filter(a -> a.equals("answer: refused: no handoff within 5 s")).count(), client.output);
        assertEquals(connections - 8, client.answers().stream().filter(a -> a.equals("answer: refused: too many handoffs at once"
                + " (at most 8 per uid, 64 in all): try again")).count(), client.output);
        assertEquals(connections, client.warnings().size(), "one line each in the broker's log");
        assertNothingLeft();
    }

    /**
     * A seccomp listener is not its client's to prove (the kernel says nothing of whose filter it
     * is), so the broker may take the listener of another process (here the client's child). What
     * it hands that process is the client's own sockets and never another service's: the child's
     * bind() to the service's address gets the kernel's own answer (EADDRINUSE), not its socket.
     */
    @Test
    void aListenerOfAnotherProcessGetsNoOtherServicesSocket() throws Exception {
        Client client = nobody("foreign-listener", Integer.toString(beforePort));
        String answer = client.onlyAnswer();
        assertTrue(answer.equals("answer: taken") || answer.startsWith("answer: refused: "), client.output);
        assertEquals(List.of("child's bind: errno 98"), client.lines().stream().filter(l -> l.startsWith("child's bind: ")).toList(),
                client.output + broker.log());
        assertNothingLeft();
        bindTime();
    }

    @Test
    void aClientThatExitsBeforeTheAnswerLeavesNothingBehind() throws Exception {
        Client client = nobody("exit-early");
        assertEquals(List.of("sent"), client.lines().subList(1, client.lines().size()), client.output);
        assertNothingLeft();
        assertEquals(List.of(), client.warnings(), "a valid handoff whose client went is no refusal");
    }

    /**
     * Per-uid limits (Broker.MOST_SERVICES_PER_UID, MOST_FDS_PER_UID): nobody's 513th service is
     * refused, and root's services are taken and served meanwhile; then nobody's 33rd handoff of
     * 251 sockets each. Once the client has gone, everything its services held is given back.
     */
    @Test
    void theLimitsPerUidHoldAndLeaveOtherUidsServed() throws Exception {
        try (Background services = Background.nobody("services", "513")) {
            services.awaitLine("held", Duration.ofSeconds(120));
            Client held = services.current();
            assertEquals(512, held.answers().stream().filter(a -> a.equals("answer: taken")).count(), held.output);
            assertEquals(List.of("answer: refused: not a handoff bandaid 0.1.0 takes: uid 65534 has 512 services at the broker already,"
                    + " the most it takes"), held.answers().stream().filter(a -> !a.equals("answer: taken")).toList());
            assertTrue(bindTime().toMillis() < 1000);
            firstAnswerOfANewService();
        }
        assertNothingLeft();
        try (Background fds = Background.nobody("fds", "33")) {
            fds.awaitLine("held", Duration.ofSeconds(120));
            Client held = fds.current();
            assertEquals(32, held.answers().stream().filter(a -> a.equals("answer: taken")).count(), held.output);
            assertEquals(List.of("answer: refused: not a handoff bandaid 0.1.0 takes: uid 65534's services would hold more than"
                    + " 8192 fds at the broker"), held.answers().stream().filter(a -> !a.equals("answer: taken")).toList());
            firstAnswerOfANewService();
        }
        assertNothingLeft();
    }

    /**
     * The limits on handshakes in progress (8 per uid, 64 in all) still hold after the one for all
     * was reached: eight uids each hold eight connections without a word, a ninth connection is
     * refused, and once they have timed out one of those uids again has eight, not nine.
     */
    @Test
    void theHandshakeLimitsHoldAfterTheLimitForAllWasReached() throws Exception {
        List<Background> silent = new ArrayList<>();
        try {
            for (int uid = 60001; uid <= 60008; uid++) {
                silent.add(Background.as(uid, "silent-many", "8"));
            }
            for (Background b : silent) {
                b.awaitLine("connected 8", Duration.ofSeconds(30));
            }
            Client over = client(List.of("--reuid=60001", "--regid=60001", "--clear-groups"), "silent");
            assertEquals("answer: refused: too many handoffs at once (at most 8 per uid, 64 in all): try again", over.onlyAnswer(),
                    over.output);
            for (Background b : silent) {
                Client c = b.finish();
                assertEquals(8, c.answers().stream().filter(a -> a.equals("answer: refused: no handoff within 5 s")).count(), c.output);
            }
        } finally {
            silent.forEach(Background::close);
        }
        try (Background again = Background.as(60001, "silent-many", "9")) {
            Client c = again.finish();
            assertEquals(List.of("answer: refused: too many handoffs at once (at most 8 per uid, 64 in all): try again"),
                    c.answers().stream().filter(a -> !a.equals("answer: refused: no handoff within 5 s")).toList(), c.output);
        }
        assertNothingLeft();
    }

    /** How long the service started before takes to bind once more (a trapped call the broker answers), as it measured it. */
    private static Duration bindTime() throws Exception {
        String answer = Clients.readTcp("127.0.0.1", beforePort, Duration.ofSeconds(20)).strip();
        assertTrue(answer.matches("bind \\d+ us"), answer + "\n" + before.log());
        return Duration.ofNanos(Long.parseLong(answer.split(" ")[1]) * 1000);
    }

    /** From the first connection to the first answer of a python http.server started through the broker then. */
    private static Duration firstAnswerOfANewService() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.startCommand(List.of("-l", "127.0.0.1:" + port), List.of(broker.launcher(), "--",
                Bandaid.PYTHON, "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1"), Map.of())) {
            long start = System.nanoTime();
            assertEquals(200, Net.get("http://127.0.0.1:" + port + "/").statusCode(), a.log());
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    /** Waits until the broker holds no more fds and threads of its own than before the first hostile client. */
    private static void assertNothingLeft() throws Exception {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        long fds;
        long threads;
        do {
            Thread.sleep(100);
            fds = broker.openFds();
            threads = brokerThreads();
        } while ((fds != baselineFds || threads != baselineThreads) && System.nanoTime() < deadline);
        assertEquals(baselineFds + " fds, " + baselineThreads + " threads", fds + " fds, " + threads + " threads",
                "the broker's fds and threads once the hostile client had gone\n" + ls("/proc/" + broker.pid() + "/fd"));
    }

    private static void awaitSettled() throws Exception {
        long fds = -1;
        long threads = -1;
        for (int stable = 0; stable < 5; ) {
            Thread.sleep(200);
            long f = broker.openFds();
            long t = brokerThreads();
            stable = f == fds && t == threads ? stable + 1 : 0;
            fds = f;
            threads = t;
        }
    }

    /** The broker's own threads (named bandaid-...): its handshakes, its services' readers, its signal thread. */
    private static long brokerThreads() throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + broker.pid() + "/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).startsWith("bandaid-");
                } catch (IOException gone) {
                    return false;
                }
            }).count();
        }
    }

    private static String ls(String dir) throws IOException {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            for (Path f : files.toList()) {
                try {
                    out.append(f.getFileName()).append(" -> ").append(Files.readSymbolicLink(f)).append('\n');
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return out.toString();
    }

    private static Client nobody(String... args) throws Exception {
        return client(NOBODY, args);
    }

    private static Client client(List<String> user, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("setpriv"));
        command.addAll(user);
        command.addAll(List.of(Bandaid.PYTHON, CLIENT, broker.socket().toString()));
        command.addAll(List.of(args));
        Command.Result result = Command.run(command, Map.of(), Duration.ofSeconds(60));
        assertEquals(0, result.exit(), result.output());
        return new Client(result.output());
    }

    /** What broker-client.py printed: "pid P", then its answers, then "done". */
    private record Client(String output) {
        List<String> lines() {
            return output.lines().toList();
        }

        long pid() {
            return Long.parseLong(lines().getFirst().substring("pid ".length()));
        }

        /** Its "answer: ..." lines (the broker's lines about a service it took go to the client's stderr, also here). */
        List<String> answers() {
            return lines().stream().filter(l -> l.startsWith("answer: ") || l.startsWith("no answer") || l.startsWith("closed")).toList();
        }

        String onlyAnswer() {
            List<String> answers = answers();
            assertEquals(1, answers.size(), output);
            return answers.getFirst();
        }

        /** The broker's lines about this client that are more than debug. */
        List<String> warnings() throws IOException {
            String about = "from pid " + pid() + " ";
            return broker.log().lines().filter(l -> l.contains(about) && !l.startsWith("bandaid: DEBUG:")).toList();
        }

        /** The broker said exactly one line about this client, refusing it for {@code why} (how the line begins). */
        void assertOneWarning(String why) throws IOException {
            List<String> warnings = warnings();
            String line = "bandaid: WARN: refused a handoff from pid " + pid() + " (uid 65534): " + why;
            assertTrue(warnings.size() == 1 && warnings.getFirst().startsWith(line), line + "...\nis not the one line of " + warnings);
        }
    }

    /** broker-client.py running beside the test, its stdin open until closed (its services stay until then). */
    private static final class Background implements AutoCloseable {
        private final Process process;
        private final Path out;
        private final OutputStream stdin;

        private Background(List<String> user, String... args) throws IOException {
            out = Files.createTempFile("bandaid-hostile", ".log");
            List<String> command = new ArrayList<>(List.of("setpriv"));
            command.addAll(user);
            command.addAll(List.of(Bandaid.PYTHON, CLIENT, broker.socket().toString()));
            command.addAll(List.of(args));
            process = Bandaid.process(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            stdin = process.getOutputStream();
        }

        static Background nobody(String... args) throws IOException {
            return new Background(NOBODY, args);
        }

        static Background as(int uid, String... args) throws IOException {
            return new Background(List.of("--reuid=" + uid, "--regid=" + uid, "--clear-groups"), args);
        }

        Client current() throws IOException {
            return new Client(Files.readString(out, StandardCharsets.UTF_8));
        }

        void awaitLine(String line, Duration timeout) throws Exception {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (current().output().lines().noneMatch(line::equals)) {
                assertTrue(System.nanoTime() < deadline && process.isAlive(), "no \"" + line + "\":\n" + current().output());
                Thread.sleep(50);
            }
        }

        /** Closes its stdin and waits for it to end with status 0; what it printed. */
        Client finish() throws Exception {
            stdin.close();
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the client did not end:\n" + current().output());
            assertEquals(0, process.exitValue(), current().output());
            return current();
        }

        @Override
        public void close() {
            try {
                stdin.close();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
                Files.deleteIfExists(out);
            } catch (IOException | InterruptedException e) {
                process.destroyForcibly();
            }
        }
    }
}
