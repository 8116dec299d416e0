package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * bandaid's process shows as bandaid, not java with a long command line: its name (comm, which
 * ps, pidof and `systemctl status` show) is bandaid, its argv[0] ends in /bandaid, and its command
 * line is the @argfile of its JVM options, then what bandaid was given. (issue 24, item 8)
 */
class ProcessNameIT {
    @Test
    void psAndPidofShowBandaid() throws Exception {
        Bandaid.assumeWrapperMode("in broker mode the process is the program itself");
        String program = Bandaid.PYTHON + " -c 'import signal; print(\"ready\", flush=True); signal.pause()'";
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -v -- " + program)) {
            assertEquals("ready", run.line());
            long pid = run.process.pid();
            assertEquals("bandaid", Files.readString(Path.of("/proc/" + pid + "/comm")).strip());
            List<String> cmdline = Arrays.asList(new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .split("\0"));
            assertTrue(cmdline.getFirst().endsWith("/bandaid"), "argv[0]: " + cmdline);
            assertTrue(cmdline.get(1).startsWith("@/") && cmdline.get(1).endsWith("/bandaid.args"), "the JVM's options in a file: " + cmdline);
            assertEquals(List.of("-v", "--", Bandaid.PYTHON, "-c"), cmdline.subList(2, 6), "then what bandaid was given: " + cmdline);

            Process pidof = new ProcessBuilder("pidof", "bandaid").start();
            String pids = new String(pidof.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(Arrays.asList(pids.strip().split(" ")).contains(Long.toString(pid)), "pidof bandaid: " + pids);
        }
    }
}
