package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The program's life under bandaid: daemons, many threads, fds, privileges. */
class LifecycleIT {

    @Test
    void aDaemonIsStillServedAfterItsFirstProcessExits(@TempDir Path dir) throws Exception {
        int port = Net.freePort();
        Path pidfile = dir.resolve("pid");
        try (Bandaid.Activated a = Bandaid.Activated.start(java.util.List.of("-l", "127.0.0.1:" + port),
                java.util.List.of("--", Bandaid.PYTHON, Programs.program("daemonize.py"), Integer.toString(port), pidfile.toString()))) {
            // The daemon binds after its first process has exited: the answer comes all the same.
            assertEquals(200, Net.get("http://127.0.0.1:" + port + "/").statusCode(), a.log());
            long daemon = Long.parseLong(Files.readString(pidfile).strip());
            if (!Bandaid.BROKER_MODE) {
                assertTrue(a.process().isAlive(), "bandaid left while the daemon " + daemon + " runs:\n" + a.log());
                assertEquals(a.pid(), ProcessHandle.of(daemon).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L),
                        "the daemon should be bandaid's child (subreaper)");
            }
            a.assertServedOnPassed(daemon, 3);
            ProcessHandle.of(daemon).ifPresent(ProcessHandle::destroy);
            // In broker mode the first process was the service's main process, and systemd sees it end.
            assertTrue(a.waitFor(Duration.ofSeconds(10)), "bandaid did not exit after the daemon:\n" + a.log());
            assertEquals(0, a.process().exitValue(), "the first process's status:\n" + a.log());
            if (!Bandaid.BROKER_MODE) {
                assertTrue(a.log().contains("bandaid: INFO: the program exited with status 0; bandaid keeps answering for the processes it left"
                        + " running until they exit"), a.log());
            }
        }
    }

    @Test
    void concurrentBindsFromManyThreadsEachGetTheirOwnSocketAndEveryCallIsAnswered() throws Exception {
        int n = 8;
        int base = Net.freePorts(n);
        StringBuilder specs = new StringBuilder();
        for (int i = 0; i < n; i++) {
            specs.append(" tcp:127.0.0.1:").append(base + i);
        }
        int calls = 2500;
        int threads = 4;
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + specs + " -- \"$BANDAID\" -- "
                + Bandaid.PYTHON + " " + Programs.program("bind-threads.py") + " " + base + " " + n + " " + calls + " " + threads)) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < n; i++) {
                String[] line = run.line().split(" ");
                int index = Integer.parseInt(line[0]);
                String passed = Bandaid.passedSocket(run.process.pid(), 3 + index);
                assertEquals(passed, "socket:[" + line[1] + "]", "thread " + index + " got another socket");
                seen.add(passed);
            }
            assertEquals(n, seen.size(), "no passed socket handed out twice");
            assertEquals("calls " + (calls * threads), run.line(), run.stderr());
            assertEquals(0, run.waitFor(), run.stderr());
        }
    }

    @Test
    void aThousandRoundTripsLeaveNoFdBehind() throws Exception {
        int port = Net.freePort();
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" -- " + Bandaid.PYTHON + " " + Programs.program("bind-loop.py") + " 127.0.0.1 " + port + " 1")) {
            String first = run.line();
            long baseline = answererFds(run);
            run.send("");
            assertEquals(0, run.waitFor(), run.stderr());
            assertTrue(first.startsWith("fds before "), first);
            // Same again with 1000 round trips: bandaid's fd count ends where one round trip left it.
            try (Programs.Interactive many = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                    + " -- \"$BANDAID\" -- " + Bandaid.PYTHON + " " + Programs.program("bind-loop.py") + " 127.0.0.1 " + port + " 1000")) {
                String line = many.line();
                String[] words = line.split(" ");
                assertEquals(words[2], words[4], "the program holds fds it did not ask for: " + line);
                assertEquals(baseline, answererFds(many), "bandaid's fds after 1000 round trips");
                many.send("");
                assertEquals(0, many.waitFor(), many.stderr());
            }
        }
    }

    /** The fds of what answers the program's calls: bandaid, or in broker mode the broker. */
    private static long answererFds(Programs.Interactive run) throws java.io.IOException {
        return Bandaid.BROKER_MODE ? TestBroker.shared().openFds() : Programs.openFds(run.process.pid());
    }

    @Test
    void theProgramRunsWithNoNewPrivileges() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- grep NoNewPrivs /proc/self/status");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("NoNewPrivs:\t1", run.stdout().strip());
    }

    @Test
    void aProgramThatInstallsItsOwnSeccompFilterStillWorks() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(java.util.List.of("-l", "127.0.0.1:" + port),
                java.util.List.of("--", Bandaid.PYTHON, Programs.DENY, "seccomp", Bandaid.PYTHON, "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1"))) {
            assertEquals(200, Net.get("http://127.0.0.1:" + port + "/").statusCode(), a.log());
        }
    }

    @Test
    void theProgramInheritsNoPassedFd() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 tcp:127.0.0.1:0 -- \"$BANDAID\" -- ls /proc/self/fd");
        assertEquals(0, run.exitCode(), run.stderr());
        // 0, 1, 2 and the directory ls reads: nothing bandaid had.
        assertEquals(java.util.List.of("0", "1", "2", "3"), run.stdout().lines().toList());
    }

    @Test
    void bindWithAPointerToNowhereGetsTheKernelsOwnAnswer() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- "
                + Bandaid.PYTHON + " " + Programs.program("bind-pointer.py"));
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("bind -1 errno 14", run.stdout().strip(), "EFAULT, as without bandaid");
    }
}
