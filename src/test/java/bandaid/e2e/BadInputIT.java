package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input ends in one line on stderr and its own exit code (README, "Exit codes"),
 * never a stack trace.
 */
class BadInputIT {
    private static final String PASS = Bandaid.ROOT.resolve("src/test/resources/pass-sockets.py").toString();
    private static final String DENY_SECCOMP = Bandaid.ROOT.resolve("src/test/resources/deny-seccomp.py").toString();

    private static void assertOneLine(Bandaid.Run run, int code, String line) {
        assertEquals(code, run.exitCode(), run.stderr());
        assertEquals(List.of(line), run.stderr().lines().toList(), run.stderr());
    }

    @Test
    void noProgram() throws Exception {
        assertOneLine(Bandaid.shell("exec \"$BANDAID\""), 65,
                "bandaid: no program given: usage is bandaid [OPTIONS] [--] PROGRAM [ARGS...]");
        assertOneLine(Bandaid.shell("exec \"$BANDAID\" -v --"), 65,
                "bandaid: no program given: usage is bandaid [OPTIONS] [--] PROGRAM [ARGS...]");
    }

    @Test
    void unknownOption() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" --frobnicate -- true");
        assertEquals(64, run.exitCode(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertEquals(true, run.stderr().startsWith("bandaid: ") && run.stderr().contains("--frobnicate"), run.stderr());
    }

    @Test
    void unknownMatchStrategy() throws Exception {
        assertOneLine(Bandaid.shell("exec \"$BANDAID\" --match=guess -- true"), 64,
                "bandaid: unknown --match guess: use address or socket");
    }

    @Test
    void programNotFound() throws Exception {
        assertOneLine(Bandaid.shell(PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- /nonexistent/server"), 127,
                "bandaid: /nonexistent/server: command not found");
    }

    @Test
    void programNotExecutable(@TempDir Path dir) throws Exception {
        Path script = Files.writeString(dir.resolve("server"), "#!/bin/sh\necho hi\n");
        assertOneLine(Bandaid.shell(PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- " + script), 126,
                "bandaid: " + script + ": not executable");
    }

    @Test
    void listenPidNotOurs() throws Exception {
        Bandaid.Run run = Bandaid.shell("echo $$; export LISTEN_FDS=1 LISTEN_PID=1; exec \"$BANDAID\" -- true 3</dev/null");
        String pid = run.stdout().strip();
        assertOneLine(run, 68, "bandaid: LISTEN_PID=1 is not bandaid's pid " + pid + ": the sockets were meant for another process;"
                + " run bandaid directly as ExecStart= (not under a shell that forks)");
    }

    @Test
    void listenFdsNotANumber() throws Exception {
        assertOneLine(Bandaid.shell("export LISTEN_FDS=two LISTEN_PID=$$; exec \"$BANDAID\" -- true"), 66,
                "bandaid: LISTEN_FDS=two is not a number: it must be the number of passed sockets (sd_listen_fds(3))");
    }

    @Test
    void passedFdNotASocket() throws Exception {
        assertOneLine(Bandaid.shell("export LISTEN_FDS=1 LISTEN_PID=$$; exec \"$BANDAID\" -- true 3</etc/hostname"), 71,
                "bandaid: passed fd 3 \"unknown\" is not a socket: only sockets can be passed (sd_listen_fds(3))");
    }

    @Test
    void kernelRefusesTheFilterBecauseSeccompIsBlocked(@TempDir Path dir) throws Exception {
        Bandaid.Run run = Bandaid.shell(DENY_SECCOMP + " " + PASS + " unix:" + dir.resolve("s") + " -- \"$BANDAID\" -- true");
        assertOneLine(run, 75, "bandaid: seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER): EPERM (Operation not permitted):"
                + " seccomp(2) is blocked; in a systemd unit with SystemCallFilter=, add seccomp to it (SystemCallFilter=@system-service seccomp)");
    }

    @Test
    void kernelRefusesASecondListener(@TempDir Path dir) throws Exception {
        // bandaid inside bandaid: the inner one's program would be under two listeners, which
        // the kernel refuses with EBUSY. The outer one passes its exit status on. (The outer one
        // is passed a TCP socket so that it leaves the inner one's unix socket() alone.)
        String inner = PASS + " unix:" + dir.resolve("inner") + " -- \"$BANDAID\" -- true";
        Bandaid.Run run = Bandaid.shell(PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- bash -c '" + inner + "'");
        assertEquals(76, run.exitCode(), run.stderr());
        assertEquals(List.of("bandaid: seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER): EBUSY (Device or resource busy):"
                + " bandaid already runs under another seccomp listener (is it wrapped in bandaid twice?); run it once"), run.bandaidLines());
    }

    @Test
    void noJavaRuntimeOf22OrNewer() throws Exception {
        // Only JDK 17 in JAVA_HOME and on PATH, and no /usr/lib/jvm to search.
        String jdk17 = "/usr/lib/jvm/java-17-openjdk-amd64";
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" -- true",
                Map.of("JAVA_HOME", jdk17, "PATH", jdk17 + "/bin:/usr/bin:/bin", "BANDAID_JVM_ROOT", "/nonexistent"));
        assertOneLine(run, 79, "bandaid: needs a Java runtime >= 22 (none in $JAVA_HOME, PATH or /usr/lib/jvm);"
                + " install one (e.g. apt-get install openjdk-25-jdk-headless) or set JAVA_HOME");
    }

    @Test
    void findsAJavaRuntimeOf22OrNewerBeyondAnOlderJavaHome() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" --version",
                Map.of("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64", "PATH", "/usr/bin:/bin"));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(true, run.stderr().startsWith("bandaid 0."), run.stderr());
    }
}
