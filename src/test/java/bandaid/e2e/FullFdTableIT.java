package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A program whose fd table has no room for the passed socket (RLIMIT_NOFILE lowered below the fd
 * it binds; every fd in use when its socket() is answered under --match=socket) gets an error
 * from the call, as the kernel would give it, and is not killed: it keeps running and serves on
 * the passed socket once there is room. (issue 12, item 3)
 */
class FullFdTableIT {

    /** Runs fd-limits.c in MODE, with and without bandaid, and returns its lines before "ready" under bandaid. */
    private static List<String> underBandaid(String mode, String options) throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" " + options + " -- " + Programs.compiled("fd-limits") + " " + mode + " 127.0.0.1 " + port)) {
            List<String> lines = new ArrayList<>();
            for (String line = run.line(); !line.equals("ready"); line = run.line()) {
                lines.add(line);
            }
            assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
            assertEquals(0, run.waitFor(), "the program's own status; stderr:\n" + run.stderr());
            ExitStatus.assertNoStackTrace(run.stderr());
            return lines;
        }
    }

    /** The same program without bandaid (and nothing passed), on a free port: what the kernel answers. */
    private static List<String> withoutBandaid(String mode) throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.compiled("fd-limits") + " " + mode + " 127.0.0.1 " + port)) {
            List<String> lines = new ArrayList<>();
            for (String line = run.line(); !line.equals("ready"); line = run.line()) {
                lines.add(line);
            }
            assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
            assertEquals(0, run.waitFor(), run.stderr());
            return lines;
        }
    }

    @Test
    void aFullFdTableGetsEmfileFromSocketAndTheProgramServesLater() throws Exception {
        List<String> kernel = withoutBandaid("full");
        assertEquals(List.of("full-socket -1 24"), kernel, "the kernel's own answer is EMFILE");
        assertEquals(kernel, underBandaid("full", "--match=socket"));
    }

    @Test
    void aBindOnAnFdAboveRlimitNofileGetsAnErrorAndTheProgramServesLater() throws Exception {
        // Without bandaid that bind succeeds (its own socket, a free port); bandaid cannot put the
        // passed socket on an fd above the limit: dup2() there gets EBADF, and the program's own
        // socket on the passed address would get EADDRINUSE. Either is an answer; death is not.
        List<String> kernel = withoutBandaid("rlimit");
        assertEquals(List.of("rlimit-bind 0 0", "rlimit-dup2 -1 9"), kernel);
        List<String> lines = underBandaid("rlimit", "");
        assertEquals("rlimit-dup2 -1 9", lines.get(1), String.join("\n", lines));
        assertTrue(Set.of("rlimit-bind -1 9", "rlimit-bind -1 98").contains(lines.getFirst()),
                "EBADF or EADDRINUSE: " + String.join("\n", lines));
    }
}
