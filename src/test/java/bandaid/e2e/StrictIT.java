package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * --strict: a bind() to a listening address no passed socket has fails with EACCES, while the
 * passed address still works; without --strict that bind runs in the kernel as the program made it.
 */
class StrictIT {
    private static final String SERVER = Bandaid.ROOT.resolve("src/test/resources/servers/bind_each.py").toString();
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void strictRefusesTheUnpassedPortAndServesThePassedOne() throws Exception {
        int passed = Net.freePort();
        int unpassed = otherFreePort(passed);
        // The unpassed port is bound first: its refusal must not stop the passed one.
        try (Bandaid.Activated a = start(passed, unpassed, "--strict")) {
            assertEquals("port " + passed + "\n", Clients.readTcp("127.0.0.1", passed, TIMEOUT), a.log());
            a.awaitLog(passed + " ok", Duration.ofSeconds(10));
            a.awaitLog("bind(127.0.0.1:" + passed + ")", Duration.ofSeconds(10));
            String log = a.log();
            assertTrue(log.contains(unpassed + " failed errno 13 (Permission denied)\n"), log);
            assertTrue(log.lines().anyMatch(l -> l.startsWith("bandaid: WARN: bind(127.0.0.1:" + unpassed + ") from python3[")
                    && l.contains("-> refused (--strict: not an address of a passed socket)")), log);
            assertTrue(log.lines().anyMatch(l -> l.startsWith("bandaid: DEBUG: bind(127.0.0.1:" + passed + ") from python3[")
                    && l.contains("-> passed fd 3")), log);
            assertThrows(ConnectException.class, () -> Clients.readTcp("127.0.0.1", unpassed, TIMEOUT));
        }
    }

    @Test
    void withoutStrictTheUnpassedPortIsTheProgramsOwn() throws Exception {
        int passed = Net.freePort();
        int unpassed = otherFreePort(passed);
        try (Bandaid.Activated a = start(passed, unpassed)) {
            assertEquals("port " + passed + "\n", Clients.readTcp("127.0.0.1", passed, TIMEOUT), a.log());
            a.awaitLog(passed + " ok", Duration.ofSeconds(10));
            String log = a.log();
            assertTrue(log.contains(unpassed + " ok\n"), log);
            assertEquals("port " + unpassed + "\n", Clients.readTcp("127.0.0.1", unpassed, TIMEOUT), a.log());
            a.awaitLog("bind(127.0.0.1:" + unpassed + ")", Duration.ofSeconds(10));
            assertTrue(a.log().lines().anyMatch(l -> l.startsWith("bandaid: DEBUG: bind(127.0.0.1:" + unpassed + ") from python3[")
                    && l.contains("-> continues (no passed socket for that address)")), a.log());
        }
    }

    private static int otherFreePort(int taken) throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            int port = Net.freePort();
            if (port != taken) {
                return port;
            }
        }
        throw new AssertionError("no second free port");
    }

    private static Bandaid.Activated start(int passed, int unpassed, String... options) throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("-v"));
        args.addAll(List.of(options));
        args.addAll(List.of("--", Bandaid.PYTHON, SERVER, "127.0.0.1", Integer.toString(unpassed), Integer.toString(passed)));
        return Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + passed), args);
    }
}
