package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * LISTEN_FDS values no unit should pass (absurdly large, with a sign, more than were passed) get
 * one line and a documented status, never a stack trace, and never a look at the JVM's own fds
 * (which take the numbers nobody passed). (issue 12, item 13)
 */
class BadListenEnvIT {

    @Test
    void tenMillionFds() throws Exception {
        Bandaid.Run run = Bandaid.shell("export LISTEN_FDS=10000000 LISTEN_PID=$$; exec \"$BANDAID\" -- true");
        String line = ExitStatus.assertOneLineOf(run, Set.of(ExitStatus.DATAERR, ExitStatus.CONFIG));
        assertTrue(line.contains("LISTEN_FDS"), line);
    }

    @Test
    void aPlusSignAndNothingPassed() throws Exception {
        // fd 3 is not open in the shell: whatever bandaid finds there is the JVM's own.
        Bandaid.Run run = Bandaid.shell("export LISTEN_FDS=+1 LISTEN_PID=$$; exec \"$BANDAID\" -- true 3<&-");
        String line = ExitStatus.assertOneLineOf(run, Set.of(ExitStatus.DATAERR, ExitStatus.CONFIG));
        assertFalse(line.contains("not a socket"), "bandaid looked at its own fd 3: " + line);
        if (run.exitCode() == ExitStatus.CONFIG) {
            assertTrue(line.contains("fd 3") && line.contains("not open"), line);
        }
    }

    @Test
    void moreThanAThousandFdsWithOnePassed() throws Exception {
        Bandaid.Run run = Bandaid.shell(Programs.PASS + " tcp:127.0.0.1:0 -- bash -c 'export LISTEN_FDS=1024; exec \"$BANDAID\" -- true 4<&-'");
        String line = ExitStatus.assertOneLine(run, ExitStatus.CONFIG);
        assertFalse(line.contains("not a socket"), "bandaid looked at its own fd 4: " + line);
        assertTrue(line.contains("fd 4") && line.contains("not open"), line);
    }
}
