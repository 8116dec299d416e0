package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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
        // --match=address traps bind() only (no unix socket was passed, so no unlink()): the one
        // bind of the listening socket, which gets the passed socket. The clients never bind;
        // connect() picks their port inside the kernel.
        assertEquals(List.of("bandaid: DEBUG: bind(127.0.0.1:" + port + ")"),
                run.bandaidLines().stream().filter(l -> l.startsWith("bandaid: DEBUG: bind(")).map(l -> l.substring(0, l.indexOf(')') + 1)).toList(),
                run.stderr());
        assertEquals("bandaid: DEBUG: The program made 1 trapped call(s).", lastLine(run), run.stderr());
    }

    @Test
    void theCountSeesEveryTrappedCall() throws Exception {
        // The same program with --match=socket, which traps socket() for the passed family and
        // type too: the listener's socket() (it gets the passed socket) and its bind(), then each
        // of the 10,000 clients' socket() (no passed socket left: it continues). The count above
        // is the filter's doing, not a counter that misses calls.
        int port = Net.freePort();
        Bandaid.Run run = connectLoop("--match=socket", port);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("done " + ROUND_TRIPS, run.stdout().strip());
        assertEquals("bandaid: DEBUG: The program made " + (2 + ROUND_TRIPS) + " trapped call(s).", lastLine(run),
                run.stderr().lines().limit(20).toList().toString());
    }
}
