package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A wrapped program cannot get into bandaid's JVM (in broker mode: the broker's). The JVM's attach mechanism would let any
 * process of the same user load an agent into bandaid, outside the program's own seccomp filter
 * and no_new_privs (issue 12); under -Xrs HotSpot even opens its attach socket at start. bandaid's
 * JVM runs with -XX:+DisableAttachMechanism and -XX:-UsePerfData (scripts/lib/launch.sh).
 */
class AttachIT {
    private static final String PASS = Bandaid.ROOT.resolve("src/test/resources/pass-sockets.py").toString();
    private static final String JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
    /** HotSpot's files, in /tmp whatever java.io.tmpdir says (os::get_temp_directory on Linux). */
    private static final Path TMP = Path.of("/tmp");

    /**
     * The program runs jcmd against its parent, bandaid, as an attacker would: jcmd connects to
     * /tmp/.java_pid<pid>, or asks the JVM to open it (a .attach_pid file and SIGQUIT, which bandaid
     * forwards to the program: jcmd's own JVM prints a thread dump and goes on waiting).
     */
    @Test
    void theProgramCannotAttachToBandaid() throws Exception {
        // In broker mode no JVM is beside the program: the one that answers its calls is the broker.
        String target = Bandaid.BROKER_MODE ? Long.toString(TestBroker.shared().pid()) : "\"$PPID\"";
        String attack = "exec " + JCMD + " -J-Dsun.tools.attach.attachTimeout=3000 " + target + " VM.version";
        Bandaid.Run run = Bandaid.shell("exec " + PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- bash -c '" + attack + "'");
        String output = run.stdout() + run.stderr();
        assertNotEquals(0, run.exitCode(), "jcmd attached to bandaid:\n" + output);
        assertFalse(output.contains(" VM version "), "jcmd got bandaid's VM version:\n" + output);
        assertTrue(output.contains("AttachNotSupportedException"), "jcmd should have failed to attach:\n" + output);
    }

    /**
     * A bandaid that ends by a signal (the program died by the SIGTERM bandaid forwarded, and bandaid
     * raised it on itself, which skips the JVM's exit cleanup) leaves no attach socket and no perf
     * data file behind; neither exists while it runs.
     */
    @Test
    void aBandaidKilledByASignalLeavesNoJvmFilesInTmp() throws Exception {
        Bandaid.assumeWrapperMode("in broker mode bandaid's JVM became the program: no JVM ends with it");
        String program = Bandaid.PYTHON + " -c 'import signal; print(\"ready\", flush=True); signal.pause()'";
        try (Programs.Interactive run = new Programs.Interactive("exec " + PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- " + program)) {
            assertEquals("ready", run.line());
            long pid = run.process.pid();
            Path attach = TMP.resolve(".java_pid" + pid);
            Path perfData = TMP.resolve("hsperfdata_" + System.getProperty("user.name")).resolve(Long.toString(pid));
            assertFalse(Files.exists(attach), attach + " exists while bandaid runs");
            assertFalse(Files.exists(perfData), perfData + " exists while bandaid runs");
            new ProcessBuilder("kill", "-TERM", Long.toString(pid)).inheritIO().start().waitFor();
            assertEquals(128 + 15, run.waitFor(), "bandaid should die by the program's SIGTERM:\n" + run.stderr());
            assertFalse(Files.exists(attach), attach + " left behind");
            assertFalse(Files.exists(perfData), perfData + " left behind");
        }
    }
}
