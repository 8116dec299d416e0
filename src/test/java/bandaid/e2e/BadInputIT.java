package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each bad input ends in one line on stderr and its own exit code (README, "Exit codes"),
 * never a stack trace.
 */
class BadInputIT {
    private static final String PASS = Programs.PASS;

    private static void assertOneLine(Bandaid.Run run, int code, String line) {
        assertEquals(code, run.exitCode(), run.stderr());
        assertEquals(List.of(line), run.stderr().lines().toList(), run.stderr());
    }

    @Test
    void noProgram() throws Exception {
        assertOneLine(Bandaid.shell("exec \"$BANDAID\""), 64,
                "bandaid: no program given: usage is bandaid [OPTIONS] [--] PROGRAM [ARGS...]");
        assertOneLine(Bandaid.shell("exec \"$BANDAID\" -v --"), 64,
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

    /**
     * A script whose #! interpreter is missing, or a binary whose dynamic loader is: exec(2) says
     * ENOENT for those too, and "command not found" sent the user looking for a file that is there.
     * (issue 23)
     */
    @ParameterizedTest(name = "broker mode: {0}")
    @ValueSource(booleans = {false, true})
    void scriptWhoseInterpreterIsMissing(boolean brokerMode, @TempDir Path dir) throws Exception {
        Bandaid.assumeItPicksTheModeItself();
        Path script = Files.writeString(dir.resolve("server"), "#!/nonexistent/python9 -u\nprint('hi')\n");
        script.toFile().setExecutable(true);
        try (LocalBroker broker = brokerMode ? LocalBroker.start() : null) {
            String mode = brokerMode ? broker.option() : "--no-broker";
            assertOneLine(Bandaid.shell(PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" " + mode + " -- " + script), 127,
                    "bandaid: " + script + ": its interpreter /nonexistent/python9 (the #! line) was not found");
            // Found on PATH, as posix_spawnp (execvp in broker mode) finds it.
            assertOneLine(Bandaid.shell("PATH=" + dir + ":$PATH exec " + PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" " + mode + " -- server"), 127,
                    "bandaid: " + script + ": its interpreter /nonexistent/python9 (the #! line) was not found");
        }
    }

    @Test
    void binaryWhoseDynamicLoaderIsMissing(@TempDir Path dir) throws Exception {
        // /bin/true with its PT_INTERP path renamed: ld-linux-x86-64.so.2 -> ld-linux-x86-64.so.9.
        byte[] binary = Files.readAllBytes(Path.of("/bin/true"));
        String text = new String(binary, java.nio.charset.StandardCharsets.ISO_8859_1);
        String loader = "/lib64/ld-linux-x86-64.so.2";
        int at = text.indexOf(loader);
        assertTrue(at > 0, "/bin/true names no " + loader);
        binary[at + loader.length() - 1] = '9';
        Path program = Files.write(dir.resolve("server"), binary);
        program.toFile().setExecutable(true);
        assertOneLine(Bandaid.shell(PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- " + program), 127,
                "bandaid: " + program + ": its dynamic loader /lib64/ld-linux-x86-64.so.9 (the ELF interpreter) was not found");
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
        assertOneLine(run, 78, "bandaid: LISTEN_PID=1 is not bandaid's pid " + pid + ": the sockets were meant for another process;"
                + " run bandaid directly as ExecStart= (not under a shell that forks);"
                + " in a container, bandaid must be PID 1 (ENTRYPOINT [\"bandaid\", \"--\", ...], exec'd, or under --init)");
    }

    @Test
    void listenFdsNotANumber() throws Exception {
        assertOneLine(Bandaid.shell("export LISTEN_FDS=two LISTEN_PID=$$; exec \"$BANDAID\" -- true"), 65,
                "bandaid: LISTEN_FDS=two is not a number: it must be the number of passed sockets (sd_listen_fds(3))");
    }

    @Test
    void passedFdNotASocket() throws Exception {
        assertOneLine(Bandaid.shell("export LISTEN_FDS=1 LISTEN_PID=$$; exec \"$BANDAID\" -- true 3</etc/hostname"), 78,
                "bandaid: passed fd 3 \"unknown\" is not a socket (a FIFO or special file from ListenFIFO= or ListenSpecial=?):"
                        + " bandaid hands over sockets only");
    }

    @Test
    void kernelRefusesTheFilterBecauseSeccompIsBlocked(@TempDir Path dir) throws Exception {
        Bandaid.Run run = Bandaid.shell(Programs.DENY + " seccomp " + PASS + " unix:" + dir.resolve("s") + " -- \"$BANDAID\" -- true");
        assertOneLine(run, 77, "bandaid: seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER): EPERM (Operation not permitted):"
                + " seccomp(2) is blocked by a filter bandaid runs under; in a systemd unit with SystemCallFilter=, add seccomp"
                + " (SystemCallFilter=@system-service seccomp); in a container, use a seccomp profile that allows seccomp");
    }

    @Test
    void kernelRefusesASecondListener(@TempDir Path dir) throws Exception {
        // bandaid inside bandaid: the inner one's program would be under two listeners, which
        // the kernel refuses with EBUSY. The outer one passes its exit status on. (The outer one
        // is passed a TCP socket so that it leaves the inner one's unix socket() alone.)
        String inner = PASS + " unix:" + dir.resolve("inner") + " -- \"$BANDAID\" -- true";
        Bandaid.Run run = Bandaid.shell(PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- bash -c '" + inner + "'");
        assertEquals(69, run.exitCode(), run.stderr());
        // The outer one also says that its program (the inner pass-sockets.py) listens on a unix
        // path nothing passed it.
        assertEquals(List.of("bandaid: seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER): EBUSY (Device or resource busy):"
                + " bandaid already runs under another seccomp listener (is it wrapped in bandaid twice?); run it once"),
                run.bandaidLines().stream().filter(l -> !l.contains(" listens on " + dir.resolve("inner") + " (unix stream)")).toList(),
                run.stderr());
    }

    @Test
    void noJavaRuntimeOf22OrNewer() throws Exception {
        // Only JDK 17 in JAVA_HOME and on PATH, and no /usr/lib/jvm to search.
        String jdk17 = "/usr/lib/jvm/java-17-openjdk-amd64";
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" -- true",
                Map.of("JAVA_HOME", jdk17, "PATH", jdk17 + "/bin:/usr/bin:/bin", "BANDAID_JVM_ROOT", "/nonexistent"));
        assertOneLine(run, 69, "bandaid: needs a Java runtime >= 22 (none in $JAVA_HOME, PATH or /usr/lib/jvm):"
                + " on Debian 13 or Ubuntu 24.04, apt-get install openjdk-25-jdk-headless;"
                + " on Debian 12, temurin-25-jdk from Eclipse Temurin's apt repository (https://adoptium.net/installation/linux/);"
                + " or set JAVA_HOME to one (the .deb needs none)");
    }

    @Test
    void findsAJavaRuntimeOf22OrNewerBeyondAnOlderJavaHome() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" --version",
                Map.of("JAVA_HOME", "/usr/lib/jvm/java-17-openjdk-amd64", "PATH", "/usr/bin:/bin"));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(true, run.stdout().startsWith("bandaid 0."), run.stdout() + run.stderr());
    }

    @Test
    void listenFdNamesCountDoesNotMatch() throws Exception {
        assertOneLine(Bandaid.shell("export LISTEN_FDS=1 LISTEN_PID=$$ LISTEN_FDNAMES=a:b; exec \"$BANDAID\" -- true"), 65,
                "bandaid: LISTEN_FDNAMES=a:b has 2 name(s) but LISTEN_FDS=1");
    }

    @Test
    void listenFdsLargerThanWhatWasPassed() throws Exception {
        // One socket passed (fd 3, LISTEN_PID right), but LISTEN_FDS says two.
        assertOneLine(Bandaid.shell(PASS + " tcp:127.0.0.1:0 -- bash -c 'export LISTEN_FDS=2; exec \"$BANDAID\" -- true 4<&-'"), 78,
                "bandaid: LISTEN_FDS=2 says fds 3..4 were passed, but fd 4 \"unknown\" is not open");
    }

    @Test
    void connectionSocketFromAnAcceptYesUnit() throws Exception {
        // systemd-socket-activate --accept passes one accepted connection per instance, as Accept=yes does.
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("--accept", "-l", "127.0.0.1:" + port), List.of("--", "true"))) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                s.setSoTimeout(20_000);
                assertEquals(-1, s.getInputStream().read(), "bandaid should close the connection");
            }
            a.awaitLog("bandaid: ", Duration.ofSeconds(10));
            assertEquals(List.of("bandaid: passed fd 3 \"unknown\" is a connected SOCK_STREAM socket, not a listening one:"
                    + " bandaid needs Accept=no in the .socket unit (Accept=yes passes one connection per instance)"),
                    a.log().lines().filter(l -> l.startsWith("bandaid:")).toList());
        }
    }

    @Test
    void mapNamesASocketThatWasNotPassed() throws Exception {
        assertOneLine(Bandaid.shell(PASS + " tcp:127.0.0.1:0=web -- \"$BANDAID\" --map api=8080 -- true"), 78,
                "bandaid: --map api=*:8080: no passed socket is named api (LISTEN_FDNAMES has \"web\";"
                        + " set names with FileDescriptorName= in the .socket unit)");
    }

    @Test
    void contradictoryOptions() throws Exception {
        assertOneLine(Bandaid.shell(PASS + " tcp:127.0.0.1:0=web -- \"$BANDAID\" --match=socket --map web=8080 -- true"), 64,
                "bandaid: --map needs --match=address: socket() carries no address to map");
    }

    @Test
    void malformedMap() throws Exception {
        assertOneLine(Bandaid.shell("exec \"$BANDAID\" --map web=localhost:80 -- true"), 64,
                "bandaid: --map web=localhost:80: localhost:80 is not an address; use HOST:PORT, [IPV6]:PORT, *:PORT, PORT, /path or @abstract");
    }
}
