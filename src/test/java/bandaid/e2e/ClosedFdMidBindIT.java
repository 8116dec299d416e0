package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A program that races its own binds (one thread closes, or dup2()s over, the fd another thread
 * is binding; a child is SIGKILLed while its bind is being answered) is never killed for it:
 * what vanished between bandaid's looks is the program's business, and it keeps serving on the
 * passed socket afterwards. (issue 12, item 2)
 */
class ClosedFdMidBindIT {
    /** How long each race of bind-races.c runs. */
    private static final int RACE_MILLIS = 2000;

    @Test
    void aProgramThatRacesItsOwnBindsKeepsRunningAndServes() throws Exception {
        int port = Net.freePort();
        String races = Programs.compiled("bind-races");
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" -- " + races + " 127.0.0.1 " + port + " " + RACE_MILLIS)) {
            List<String> lines = new ArrayList<>();
            for (String line = run.line(); !line.equals("ready"); line = run.line()) {
                lines.add(line);
            }
            // A bind on an fd that is not open: the kernel's own answer, EBADF.
            assertEquals("closed-fd -1 9", lines.getFirst(), String.join("\n", lines));
            assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
            assertEquals(0, run.waitFor(), "the program's own status; stderr:\n" + run.stderr());
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("threads ")) && lines.stream().anyMatch(l -> l.startsWith("children ")),
                    String.join("\n", lines));
            ExitStatus.assertNoStackTrace(run.stderr());
        }
    }
}
