package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A bandaid started from a shell hands its service to a broker with --exit-idle-time: the shell's
 * cgroup (a login session's scope) holds other processes too, and the broker's idle stop must
 * reach the program only, never a process beside it there. Played with a cgroup of the test's own
 * (cgroup v2), holding a sleep beside the service.
 */
class BrokerIdleStopScopeIT {
    private static final List<Path> CGROUP_ROOTS = List.of(Path.of("/sys/fs/cgroup"), Path.of("/sys/fs/cgroup/unified"));

    @Test
    void theIdleStopSparesTheProcessesBesideTheServiceInItsCgroup() throws Exception {
        assumeFalse(Bandaid.BROKER_MODE, "starts a broker of its own: runs once, in the run without the shared broker");
        Path root = CGROUP_ROOTS.stream().filter(r -> Files.exists(r.resolve("cgroup.procs")) && Files.exists(r.resolve("cgroup.controllers")))
                .findFirst().orElse(null);
        assumeTrue(root != null, "no cgroup v2 hierarchy here");
        Path scope = root.resolve("bandaid-test-scope-" + ProcessHandle.current().pid());
        try {
            Files.createDirectory(scope);
        } catch (java.io.IOException e) {
            assumeTrue(false, "cannot make a cgroup here: " + e);
        }
        Process beside = null;
        try (LocalBroker broker = LocalBroker.start()) {
            beside = new ProcessBuilder("sleep", "120").start();
            Files.writeString(scope.resolve("cgroup.procs"), Long.toString(beside.pid()));
            int port = Net.freePort();
            // The service joins the same cgroup before bandaid starts, as a shell's children do.
            Bandaid.Run run = Bandaid.shell("echo $$ > " + scope.resolve("cgroup.procs") + " && exec " + Programs.PASS + " tcp:127.0.0.1:"
                    + port + " -- \"$BANDAID\" " + broker.option() + " --exit-idle-time=1s -- " + Bandaid.PYTHON
                    + " -m http.server --bind 127.0.0.1 " + port);
            // The program, alone idle, was stopped by SIGTERM: its own status.
            assertEquals(143, run.exitCode(), run.stderr() + "\nthe broker said:\n" + broker.log());
            assertTrue(beside.isAlive(), "the idle stop reached a process beside the service in its cgroup:\n" + broker.log());
        } finally {
            if (beside != null) {
                beside.destroyForcibly();
                beside.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(scope);
        }
    }
}
