package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bandaid running as nobody (User=nobody, as README suggests for privileged ports) and a server
 * that makes itself non-dumpable before its bind() (prctl(PR_SET_DUMPABLE, 0), as daemons that
 * hold secrets do): without CAP_SYS_PTRACE bandaid cannot read the bind() address, and its
 * warning says exactly that and how to fix it; with the fix it gives (the ambient capabilities,
 * played here by setpriv as systemd's AmbientCapabilities= does) the server is served, and the
 * capabilities stay bandaid's: the server has none. SystemdNonDumpableIT runs the same fix as unit
 * lines. (issue 23, item 5)
 */
class NonDumpableServerIT {
    private static final String SERVER = Bandaid.ROOT.resolve("src/test/resources/servers/nondumpable.py").toString();
    private static final String AS_NOBODY = "setpriv --reuid=nobody --regid=nogroup --clear-groups";

    @BeforeEach
    void wrapperMode() {
        Bandaid.assumeWrapperMode("bandaid runs as nobody here; a broker runs as root, with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH");
    }

    private static String run(int port, String capabilities, String bandaidOptions) {
        return run(port, capabilities, bandaidOptions, "");
    }

    private static String run(int port, String capabilities, String bandaidOptions, String serverMode) {
        return "exec " + Programs.PASS + " tcp:127.0.0.1:" + port + " -- " + AS_NOBODY + " " + capabilities + " \"$BANDAID\" "
                + bandaidOptions + " -- " + Bandaid.PYTHON + " " + SERVER + " 127.0.0.1 " + port + " " + serverMode;
    }

    /**
     * With CAP_SYS_PTRACE alone bandaid serves the bind (pidfd_getfd works here) but may not list
     * the program's fds (its /proc/PID/fd is root's, mode 0500): --exit-idle-time cannot see the
     * connection the program holds, so it must not stop the program as idle, and says why once.
     */
    @Test
    void exitIdleTimeNeverStopsAProgramWhoseConnectionsItCannotSee() throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive(run(port, "--inh-caps=+sys_ptrace --ambient-caps=+sys_ptrace",
                "--exit-idle-time=1s", "hold"))) {
            assertEquals(port + " ok", run.line(), run.stderr());
            try (Socket client = new Socket("127.0.0.1", port)) {
                client.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
                assertTrue(client.getInputStream().read() >= 0, run.stderr());
                // A few looks of a 1 s period, while the client's connection stays open.
                Thread.sleep(Duration.ofSeconds(4));
                assertTrue(run.process.isAlive(), "stopped as idle while a connection was held: " + run.stderr());
                assertTrue(run.stderr().lines().anyMatch(l -> l.matches("bandaid: WARN: --exit-idle-time: python3\\[\\d+]:"
                        + " opendir\\(/proc/\\d+/fd\\): EACCES \\(Permission denied\\); its connections cannot be counted, so it is"
                        + " never stopped as idle\\. .*AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH\\)")), run.stderr());
            }
        }
    }

    @Test
    void withoutCapSysPtraceTheWarningNamesTheCauseAndTheFix() throws Exception {
        int port = Net.freePort();
        Bandaid.Run run = Bandaid.shell(run(port, "", ""));
        assertEquals(1, run.exitCode(), run.stderr());
        assertEquals(port + " failed errno 98\n", run.stdout(), run.stderr());
        List<String> warnings = run.bandaidLines().stream().filter(l -> l.startsWith("bandaid: WARN: ")).toList();
        assertEquals(1, warnings.size(), run.stderr());
        assertTrue(warnings.getFirst().matches("bandaid: WARN: cannot read the address of python3\\[\\d+]'s bind\\(\\): process_vm_readv:"
                + " EPERM \\(Operation not permitted\\): python3\\[\\d+] made itself non-dumpable \\(prctl PR_SET_DUMPABLE 0, as daemons"
                + " that hold secrets do\\), and bandaid, running as uid 65534, needs CAP_SYS_PTRACE to read its memory; give bandaid"
                + " CAP_SYS_PTRACE: in its unit, AmbientCapabilities=CAP_SYS_PTRACE \\(and CAP_SYS_PTRACE in CapabilityBoundingSet= if"
                + " the unit sets one; bandaid keeps it from the program\\); until then such calls run as it made them, without the"
                + " passed sockets"), warnings.getFirst());
        ExitStatus.assertNoStackTrace(run.stderr());
    }

    @Test
    void withAmbientCapSysPtraceAndCapDacReadSearchItIsServedAndTheProgramHasNoCapability() throws Exception {
        int port = Net.freePort();
        // Both capabilities, as the fix says where bandaid cannot use pidfd_getfd (SystemdNonDumpableIT):
        // the program gets neither.
        try (Programs.Interactive run = new Programs.Interactive(run(port, "--inh-caps=+sys_ptrace,+dac_read_search"
                + " --ambient-caps=+sys_ptrace,+dac_read_search", "-v"))) {
            assertEquals(port + " ok", run.line(), run.stderr());
            assertEquals("CapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n",
                    Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
            // bandaid writes a call's line once it has answered it: it may come after the answer.
            String served = "bandaid: DEBUG: bind\\(127\\.0\\.0\\.1:" + port + "\\) from python3\\[\\d+] fd \\d+ -> passed fd 3 .*";
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (run.stderr().lines().noneMatch(l -> l.matches(served)) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            String log = run.stderr();
            assertTrue(log.lines().anyMatch(l -> l.matches(served)), log);
            assertTrue(log.contains("bandaid: INFO: CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH in the ambient capabilities are bandaid's,"
                    + " to read the program's bind() addresses and look at its sockets; the program does not get them\n"), log);
        }
    }
}
