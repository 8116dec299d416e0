package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * --exit-idle-time stops a program that ignores SIGTERM too: after a documented grace, SIGKILL,
 * as systemd's own stop does (TimeoutStopSec=), and bandaid ends. (issue 12, item 11)
 */
class IdleStopEscalationIT {
    /** README: how long bandaid waits after SIGTERM before SIGKILL. The one place to change it. */
    /** Supervisor.STOP_GRACE, README and the man page: SIGKILL 5 s after SIGTERM. */
    static final Duration GRACE = Duration.ofSeconds(5);
    private static final Duration IDLE = Duration.ofSeconds(1);
    /** Room for bandaid's look at the socket tables and a loaded machine. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    @Test
    void aProgramIgnoringSigtermIsKilledAfterTheGrace() throws Exception {
        Bandaid.assumeWrapperMode(Bandaid.IDLE_STOP_IN_BROKER_MODE);
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" --exit-idle-time=" + IDLE.toSeconds() + "s -- "
                + Bandaid.PYTHON + " " + Programs.program("ignores-term.py") + " 127.0.0.1 " + port)) {
            assertEquals("ready", run.line(), run.stderr());
            List<ProcessHandle> program = List.of(run.program());
            long started = System.nanoTime();
            assertTrue(run.process.waitFor(IDLE.plus(GRACE).plus(MARGIN).toMillis(), TimeUnit.MILLISECONDS),
                    "bandaid still runs " + IDLE.plus(GRACE).plus(MARGIN) + " after the program's start; stderr:\n" + run.stderr());
            assertTrue(program.getFirst().onExit().get(2, TimeUnit.SECONDS) != null);
            assertFalse(program.getFirst().isAlive(), "the program was left running");
            // Not before the grace: SIGTERM was ignored, and the program had that long to finish.
            assertTrue(System.nanoTime() - started >= GRACE.toNanos(), "SIGKILL before the grace was over");
            ExitStatus.assertNoStackTrace(run.stderr());
        }
    }
}
