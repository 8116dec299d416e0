package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
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

    /** bandaid under a filter that gives EPERM for CALLS, running marker-serve.py; a client asks once if it gets ready. */
    private static Programs.MarkerServe run(String calls, Path marker) throws Exception {
        return Programs.markerServe(Bandaid.PYTHON + " " + Programs.DENY + " " + calls + " ", "", marker);
    }

    @Test
    void pidfdOpenBlockedIsRefusedBeforeTheProgramStartsOrDoneWithout(@TempDir Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        Programs.MarkerServe outcome = run("pidfd_open", marker);
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
        // (In broker mode the broker reads them, and the filter blocks the service's call only.)
        Path marker = dir.resolve("ran");
        Programs.MarkerServe outcome = run("process_vm_readv", marker);
        if (Bandaid.BROKER_MODE) {
            // The broker reads it from outside the filter the service runs under: served.
            assertTrue(outcome.served(), "not served in broker mode:\n" + outcome.stderr());
            assertEquals(0, outcome.exitCode(), outcome.stderr());
            return;
        }
        assertFalse(outcome.served(), "served without reading the program's memory?\n" + outcome.stderr());
        assertFalse(Files.exists(marker), "the program ran before bandaid gave up:\n" + outcome.stderr());
        assertEquals(ExitStatus.NOPERM, outcome.exitCode(), outcome.stderr());
        List<String> lines = outcome.stderr().lines().toList();
        assertEquals(1, lines.size(), outcome.stderr());
        assertTrue(lines.getFirst().startsWith("bandaid: ") && lines.getFirst().contains("process_vm_readv"), outcome.stderr());
    }
}
