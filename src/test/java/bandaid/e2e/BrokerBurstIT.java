package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Legitimate bursts are served: a boot starts many socket-activated services of one uid at once
 * (root's, here), more than the broker reads handoffs of one uid at a time
 * (Broker.MOST_HANDSHAKES_PER_UID, 8), on a machine busy with all of them (here they share one
 * CPU, as on a small VM booting, so that the burst does not depend on how busy the machine
 * running the test is). Every one of them is taken by the broker and serves, none fails with
 * "too many handoffs at once", and the broker warns of none.
 */
class BrokerBurstIT {
    private static final int SERVICES = 20;

    @Test
    void twentyServicesStartedAtOnceAreAllTakenAndServe() throws Exception {
        assumeFalse(Bandaid.BROKER_MODE, "starts a broker of its own: runs once, in the run without the shared broker");
        int base = Net.freePorts(SERVICES);
        List<Process> services = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try (TestBroker broker = TestBroker.start()) {
            try {
                for (int i = 0; i < SERVICES; i++) {
                    String port = Integer.toString(base + i);
                    Path log = Files.createTempFile("bandaid-burst", ".log");
                    logs.add(log);
                    services.add(Bandaid.process(List.of("taskset", "-c", "0", Programs.PASS, "tcp:127.0.0.1:" + port, "--", broker.launcher(), "--",
                            Bandaid.PYTHON, Programs.program("bind-timer.py"), "127.0.0.1", port))
                            .redirectErrorStream(true).redirectOutput(log.toFile()).start());
                }
                for (int i = 0; i < SERVICES; i++) {
                    String answer = answer(services.get(i), base + i);
                    assertTrue(answer.matches("bind \\d+ us"), "service " + i + " answered \"" + answer + "\"; it said:\n"
                            + Files.readString(logs.get(i)) + "\nthe broker said:\n" + broker.log());
                    assertTrue(services.get(i).isAlive(), Files.readString(logs.get(i)));
                }
                assertEquals(List.of(), broker.log().lines().filter(l -> l.startsWith("bandaid: WARN")).toList(), broker.log());
                assertEquals(SERVICES, broker.lastService(), broker.log());
            } finally {
                for (Process p : services) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
                for (Path log : logs) {
                    Files.deleteIfExists(log);
                }
            }
        }
    }

    /**
     * What the service on {@code port} answers, once pass-sockets.py has bound its socket (a
     * connection refused before) and as long as the service runs; an empty answer when bandaid
     * ended without the program.
     */
    private static String answer(Process service, int port) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            try {
                return Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(90)).strip();
            } catch (IOException e) {
                if (!service.isAlive() || System.nanoTime() > deadline) {
                    return e.toString();
                }
                Thread.sleep(50);
            }
        }
    }
}
