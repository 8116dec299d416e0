package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * When bandaid's seccomp listener breaks, it says why in one line, kills the program and exits 70
 * (SOFTWARE) within a second: never a program left running with calls nobody answers. A failure
 * while answering one call is that call's alone: it continues, and the program lives on.
 */
class SupervisorFaultsIT {

    /**
     * bandaid's own listener closed under the reader (a bug of bandaid's, injected at 0.3 s). The
     * reader waits inside NOTIF_RECV, which a close() does not end (the ioctl holds the file), so
     * the program's next trapped call is where it shows: the kernel answers that call ENOSYS as
     * the listener goes (seccomp_unotify(2)), and bandaid says why in one line, kills the program
     * and exits 70 (SOFTWARE): never a program left running with calls nobody answers.
     */
    @Test
    void theListenerClosedUnderTheReader() throws Exception {
        int port = Net.freePort();
        // The program binds the passed address after 3 s, says what its bind() got, then would
        // sleep for a minute.
        String program = Bandaid.PYTHON + " -c 'import socket,time\ntime.sleep(3)\ns=socket.socket()\ntry:\n"
                + " s.bind((\"127.0.0.1\"," + port + "))\n print(\"bound\", flush=True)\nexcept OSError as e:\n"
                + " print(\"errno\", e.errno, flush=True)\ntime.sleep(60)'";
        try (Programs.Interactive run = new Programs.Interactive("BANDAID_JAVA_OPTIONS=-Dbandaid.fault=close-listener"
                + " exec " + Programs.PASS + " tcp:127.0.0.1:" + port + " -- \"$BANDAID\" -- " + program)) {
            ProcessHandle python = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (python == null && System.nanoTime() < deadline) {
                python = run.process.children().findFirst().orElse(null);
                Thread.sleep(10);
            }
            assertTrue(python != null, run.stderr());
            // The program would sleep for a minute: ending well before that is failing loudly,
            // not hanging. (How fast is the benchmark's business, not a test's.)
            assertTrue(run.process.waitFor(10, TimeUnit.SECONDS), "bandaid still runs: " + run.stderr());
            assertEquals(70, run.process.exitValue(), run.stderr());
            assertEquals(List.of("bandaid: answering the program's trapped calls failed: the seccomp listener was closed"
                    + " under the reader; the program was killed so that none of its calls hang"), run.stderr().lines().toList());
            python.onExit().get(2, TimeUnit.SECONDS);
            assertFalse(python.isAlive(), "the program was left running");
            // Killed right after that call came back, it may not have had the time to say so;
            // if it did, it got ENOSYS, never the passed socket nor a bind of its own.
            List<String> said = run.out.lines().toList();
            assertTrue(said.isEmpty() || said.equals(List.of("errno 38")), said.toString());
        }
    }

    @Test
    void aMatcherThatThrowsFailsOnlyThatCallAndTheProgramLivesOn() throws Exception {
        int port = Net.freePort();
        // The bind continues in the kernel, where the passed socket already holds the port.
        String program = Bandaid.PYTHON + " -c 'import socket\ns=socket.socket()\ntry:\n s.bind((\"127.0.0.1\"," + port
                + "))\nexcept OSError as e:\n print(\"errno\", e.errno)\nprint(\"alive\")'";
        Bandaid.Run run = Bandaid.shell("BANDAID_JAVA_OPTIONS=-Dbandaid.fault=matcher-throws exec " + Programs.PASS
                + " tcp:127.0.0.1:" + port + " -- \"$BANDAID\" -- " + program);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of("errno 98", "alive"), run.stdout().lines().toList(), run.stderr());
        assertEquals(1, run.bandaidLines().size(), run.stderr());
        assertTrue(run.bandaidLines().getFirst().startsWith("bandaid: ERROR: answering bind(127.0.0.1:" + port + ") from pid ")
                && run.bandaidLines().getFirst().endsWith("failed: java.lang.IllegalStateException: matcher failed on purpose"
                + " (bandaid.fault=matcher-throws); the call continues as the program made it"), run.stderr());
    }

}
