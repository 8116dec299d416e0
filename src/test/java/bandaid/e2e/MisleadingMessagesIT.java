package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import org.junit.jupiter.api.Test;

/**
 * bandaid's messages say what is true: an unbound socket passed is not "connected", an O_PATH fd
 * is open (just not a socket), LISTEN_FDS=0 is set (to zero). (issue 12, item 18)
 */
class MisleadingMessagesIT {
    /** Puts the fd python's FD_EXPRESSION opens on fd 3 (made inheritable: it may be fd 3 already, close-on-exec) and execs bandaid with LISTEN_FDS=1. */
    private static Bandaid.Run passing(String fdExpression) throws Exception {
        return Bandaid.shell("exec " + Bandaid.PYTHON + " -c 'import os, socket, sys; fd = " + fdExpression + "; os.dup2(fd, 3); os.set_inheritable(3, True);"
                + " os.environ.update(LISTEN_FDS=\"1\", LISTEN_PID=str(os.getpid())); os.execvp(sys.argv[1], sys.argv[1:])'"
                + " \"$BANDAID\" -- true");
    }

    @Test
    void anUnboundSocketIsNotCalledConnected() throws Exception {
        Bandaid.Run run = passing("socket.socket().detach()");
        String line = ExitStatus.assertOneLine(run, ExitStatus.CONFIG);
        assertFalse(line.contains("connected"), line);
    }

    @Test
    void anOPathFdIsNotCalledNotOpen() throws Exception {
        Bandaid.Run run = passing("os.open(\"/etc/hostname\", os.O_PATH)");
        String line = ExitStatus.assertOneLine(run, ExitStatus.CONFIG);
        assertFalse(line.contains("not open"), line);
    }

    @Test
    void zeroFdsIsNotCalledNotSet() throws Exception {
        Bandaid.Run run = Bandaid.shell("export LISTEN_FDS=0 LISTEN_PID=$$; exec \"$BANDAID\" -- true");
        assertEquals(0, run.exitCode(), run.stderr());
        ExitStatus.assertNoStackTrace(run.stderr());
        assertFalse(run.stderr().contains("not set"), run.stderr());
    }
}
