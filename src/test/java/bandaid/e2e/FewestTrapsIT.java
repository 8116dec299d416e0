package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * bandaid stays out of the data path: a program's traffic never reaches it, only the calls the
 * filter traps do. The program binds its listening socket once and then makes 10,000 loopback
 * round trips (socket, connect, accept, send, recv, setsockopt, close); bandaid counts what it
 * received and says so at exit with -v.
 */
class FewestTrapsIT {
    private static final int ROUND_TRIPS = 10_000;

    private static Bandaid.Run connectLoop(String match, int port) throws Exception {
        return Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:" + port + " -- \"$BANDAID\" -v " + match + " -- "
                + Bandaid.PYTHON + " " + Programs.program("connect-loop.py") + " 127.0.0.1 " + port + " " + ROUND_TRIPS);
    }

    private static String lastLine(Bandaid.Run run) {
        List<String> lines = run.bandaidLines();
        return lines.isEmpty() ? "" : lines.getLast();
    }

    @Test
    void tenThousandRoundTripsAfterTheListeningBindReachBandaidNever() throws Exception {
        int port = Net.freePort();
        Bandaid.Run run = connectLoop("", port);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("done " + ROUND_TRIPS, run.stdout().strip());
        // --match=address traps bind() and listen() (no unix socket was passed, so no unlink()
        // and no connect()): the one bind of the listening socket, which gets the passed socket,
        // and its listen(). The clients never bind; connect() picks their port inside the kernel.
        assertEquals(List.of("bandaid: DEBUG: bind(127.0.0.1:" + port + ")"),
                run.bandaidLines().stream().filter(l -> l.startsWith("bandaid: DEBUG: bind(")).map(l -> l.substring(0, l.indexOf(')') + 1)).toList(),
                run.stderr());
        assertEquals("bandaid: DEBUG: The program made 2 trapped call(s).", lastLine(run), run.stderr());
    }

    @Test
    void theCountSeesEveryTrappedCall() throws Exception {
        // The same program with --match=socket, which traps socket() for the passed family and
        // type too: the listener's socket() (it gets the passed socket), its bind() and listen(),
        // then each of the 10,000 clients' socket() (no passed socket left: it continues). The
        // count above is the filter's doing, not a counter that misses calls.
        int port = Net.freePort();
        Bandaid.Run run = connectLoop("--match=socket", port);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("done " + ROUND_TRIPS, run.stdout().strip());
        assertEquals("bandaid: DEBUG: The program made " + (3 + ROUND_TRIPS) + " trapped call(s).", lastLine(run),
                run.stderr().lines().limit(20).toList().toString());
    }

    @Test
    void aProgramThatMakesNoTrappedCallNeverWakesTheReader() throws Exception {
        // The reader waits inside NOTIF_RECV until a trapped call comes: no timer, no poll(2)
        // every now and then, so a service that sits idle costs the host no wake-ups of its.
        int port = Net.freePort();
        String program = Bandaid.PYTHON + " -c 'import socket,sys\ns=socket.socket()\ns.bind((\"127.0.0.1\"," + port
                + "))\ns.listen()\nprint(\"ready\", flush=True)\nsys.stdin.readline()'";
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" -- " + program)) {
            assertEquals("ready", run.line());
            Path reader = Bandaid.BROKER_MODE ? TestBroker.shared().readerThread(run.process.pid())
                    : thread(run.process.pid(), "bandaid-reader").orElseThrow(() -> new AssertionError("no reader thread"));
            long before = switches(reader);
            Thread.sleep(1500);
            long after = switches(reader);
            assertEquals(before, after, "the idle reader woke up " + (after - before) + " times in 1.5 s");
            run.send("");
            assertEquals(0, run.waitFor(), run.stderr());
        }
    }

    /** /proc/PID/task/TID of the thread named {@code name} (comm), if any. */
    private static Optional<Path> thread(long pid, String name) throws IOException {
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().equals(name);
                } catch (IOException e) {
                    return false; // the thread ended meanwhile
                }
            }).findFirst();
        }
    }

    /** How often the thread was switched out so far, waiting or preempted (proc(5), status). */
    private static long switches(Path task) throws IOException {
        long total = 0;
        for (String line : Files.readAllLines(task.resolve("status"))) {
            if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                total += Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        assertTrue(total > 0, "no context switches in " + task);
        return total;
    }
}
