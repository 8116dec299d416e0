package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a filter above bandaid (a container's seccomp profile, a unit's SystemCallFilter=) blocks
 * a call bandaid needs, bandaid says so in one line naming the call and exits NOPERM before the
 * program starts; where the call is only an optimisation, the program is served without it.
 * Never an "internal error" after the server already started. (issue 12, item 5)
 */
class NeededCallsBlockedIT {

    private record Outcome(boolean served, int exitCode, String stderr) {
    }

    /** bandaid under a filter that gives EPERM for CALLS, running marker-serve.py; a client asks once if it gets ready. */
    private static Outcome run(String calls, Path marker) throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Bandaid.PYTHON + " " + Programs.DENY + " " + calls + " "
                + Programs.PASS + " tcp:127.0.0.1:" + port + " -- \"$BANDAID\" -- "
                + Bandaid.PYTHON + " " + Programs.program("marker-serve.py") + " " + marker + " 127.0.0.1 " + port)) {
            String first = run.out.readLine();
            boolean served = false;
            if ("ready".equals(first)) {
                assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
                served = true;
            } else {
                assertEquals(null, first, run.stderr());
            }
            int code = run.waitFor();
            ExitStatus.assertNoStackTrace(run.stderr());
            return new Outcome(served, code, run.stderr());
        }
    }

    @Test
    void pidfdOpenBlockedIsRefusedBeforeTheProgramStartsOrDoneWithout(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        Outcome outcome = run("pidfd_open", marker);
        if (outcome.served()) {
            assertEquals(0, outcome.exitCode(), outcome.stderr());
        } else {
            assertFalse(Files.exists(marker), "the program ran before bandaid gave up:\n" + outcome.stderr());
            assertEquals(ExitStatus.NOPERM, outcome.exitCode(), outcome.stderr());
            List<String> lines = outcome.stderr().lines().toList();
            assertEquals(1, lines.size(), outcome.stderr());
            assertTrue(lines.getFirst().startsWith("bandaid: ") && lines.getFirst().contains("pidfd_open"), outcome.stderr());
        }
    }

    @Test
    void processVmReadvBlockedIsRefusedBeforeTheProgramStarts(@TempDir Path dir) throws Exception {
        // bandaid reads every bind()'s address with it: without it nothing can be matched.
        Path marker = dir.resolve("ran");
        Outcome outcome = run("process_vm_readv", marker);
        assertFalse(outcome.served(), "served without reading the program's memory?\n" + outcome.stderr());
        assertFalse(Files.exists(marker), "the program ran before bandaid gave up:\n" + outcome.stderr());
        assertEquals(ExitStatus.NOPERM, outcome.exitCode(), outcome.stderr());
        List<String> lines = outcome.stderr().lines().toList();
        assertEquals(1, lines.size(), outcome.stderr());
        assertTrue(lines.getFirst().startsWith("bandaid: ") && lines.getFirst().contains("process_vm_readv"), outcome.stderr());
    }
}
