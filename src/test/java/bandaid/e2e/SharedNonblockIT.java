package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A process serving on the passed socket with a blocking accept() keeps working when another
 * process (a worker, a re-exec) binds the same passed address with SOCK_NONBLOCK: the mode of
 * the file description it serves on (shared with systemd's copy and every other holder) is not
 * changed under it, and bandaid says once, as a warning, that the two wanted different modes.
 * (issue 12, item 8)
 */
class SharedNonblockIT {

    @Test
    void aSecondNonblockingBindLeavesTheFirstServerBlocking() throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" -- " + Bandaid.PYTHON + " " + Programs.program("shared-nonblock.py") + " 127.0.0.1 " + port)) {
            assertEquals("child bound", run.line(), run.stderr());
            assertEquals("parent O_NONBLOCK 0", run.line(), run.stderr());
            assertEquals("ready", run.line(), run.stderr());
            // A non-blocking accept() fails at once with EAGAIN and the program exits 1.
            Thread.sleep(500);
            if (!run.process.isAlive()) {
                throw new AssertionError("the server's accept() did not block: " + run.stderr());
            }
            assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
            assertEquals(0, run.waitFor(), run.stderr());
            ExitStatus.assertNoStackTrace(run.stderr());
            assertEquals(1, run.stderr().lines().filter(l -> l.startsWith("bandaid: WARN")).count(),
                    "one warning that two processes wanted different modes:\n" + run.stderr());
        }
    }
}
