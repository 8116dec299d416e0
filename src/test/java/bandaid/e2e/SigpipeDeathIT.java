package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * A program killed by SIGPIPE makes bandaid die by SIGPIPE too, not exit(141): systemd counts a
 * death by SIGPIPE as clean (as by SIGTERM) and exit status 141 as a failure. A shell's $? cannot
 * tell the two apart, so the test asks waitpid() through python's subprocess. (issue 12, item 10)
 */
class SigpipeDeathIT {
    private static final String WAIT_STATUS = Bandaid.PYTHON + " " + Programs.program("wait-status.py");
    private static final String SIGPIPE = Bandaid.PYTHON + " " + Programs.program("sigpipe.py");

    @Test
    void bandaidDiesBySigpipeWhenTheProgramDid() throws Exception {
        Bandaid.Run alone = Bandaid.shell("exec " + WAIT_STATUS + " " + SIGPIPE);
        assertEquals("killed by SIGPIPE", alone.stdout().strip(), "the program on its own; " + alone.stderr());

        Bandaid.Run run = Bandaid.shell("exec " + WAIT_STATUS + " " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- " + SIGPIPE);
        assertEquals("killed by SIGPIPE", run.stdout().strip(), run.stderr());
        ExitStatus.assertNoStackTrace(run.stderr());
    }
}
