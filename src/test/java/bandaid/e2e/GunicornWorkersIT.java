package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * gunicorn with two workers binds 127.0.0.1:P and [::1]:P in its master, which the workers
 * inherit and accept on: the unit passes one socket per address, and a worker answers on each.
 */
class GunicornWorkersIT {
    /** python3-gunicorn, run as {@code python3 -m gunicorn} (the gunicorn package adds only a script for it). */
    private static final Path GUNICORN = Path.of("/usr/lib/python3/dist-packages/gunicorn");
    private static final String APP_DIR = Bandaid.ROOT.resolve("src/test/resources/servers/gunicorn").toString();

    @Test
    void itsWorkersServeBothPassedSockets() throws Exception {
        assumeTrue(Files.isDirectory(GUNICORN), GUNICORN + " is not installed (apt-get install python3-gunicorn)");
        Net.assumeDualStackLoopback();
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port, "-l", "[::1]:" + port, "--fdname=http:http6"),
                List.of("-v", "--", Bandaid.PYTHON, "-m", "gunicorn", "--chdir", APP_DIR, "--workers", "2", "-b", "127.0.0.1:" + port, "-b", "[::1]:" + port,
                        "app:app"))) {
            for (String host : List.of("127.0.0.1", "[::1]")) {
                HttpResponse<String> r = ServerProbe.get("http://" + host + ":" + port + "/");
                assertEquals(200, r.statusCode(), a.log());
                assertTrue(r.body().startsWith("gunicorn ok from "), r.body() + "\n" + a.log());
            }
            ProcessHandle master = a.program(Duration.ofSeconds(5));
            List<ProcessHandle> workers = awaitWorkers(master, 2);
            for (ProcessHandle worker : workers) {
                a.assertServedOnPassed(worker.pid(), 3, 4);
            }
            String answeredBy = ServerProbe.get("http://127.0.0.1:" + port + "/").body().strip().replace("gunicorn ok from ", "");
            Set<String> workerPids = workers.stream().map(w -> Long.toString(w.pid())).collect(Collectors.toSet());
            assertTrue(workerPids.contains(answeredBy), "answered by " + answeredBy + ", not a worker of " + workerPids);
            assertEquals(a.passedSockets(3, 4), ListeningSockets.onPort(port), a.log());
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }

    private static List<ProcessHandle> awaitWorkers(ProcessHandle master, int count) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + ServerProbe.STARTUP.toNanos();
        while (master.children().count() < count && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        List<ProcessHandle> workers = master.children().toList();
        assertEquals(count, workers.size(), "gunicorn's workers: " + workers);
        return workers;
    }
}
