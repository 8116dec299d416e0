package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nginx's own life under bandaid: a reload by SIGHUP to bandaid, and nginx as a daemon. */
class NginxLifecycleIT {

    private static void assertBothAnswer(int portA, int portB, String log) throws Exception {
        assertEquals("port-a\n", Net.get("http://127.0.0.1:" + portA + "/").body(), log);
        assertEquals("port-b\n", Net.get("http://127.0.0.1:" + portB + "/").body(), log);
    }

    @Test
    void reloadThroughBandaidGivesNewWorkersOnThePassedSockets(@TempDir Path dir) throws Exception {
        int portA = Net.freePort();
        int portB = Net.freePort();
        List<String> program = Nginx.command(dir, new Nginx.Block("127.0.0.1:" + portA, "port-a"), new Nginx.Block("127.0.0.1:" + portB, "port-b"));
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + portA, "-l", "127.0.0.1:" + portB), program)) {
            assertBothAnswer(portA, portB, a.log());
            ProcessHandle master = a.program(Duration.ofSeconds(5));
            Set<Long> before = Nginx.workers(master, 2, Duration.ofSeconds(10)).stream().map(ProcessHandle::pid).collect(Collectors.toSet());
            assertEquals(2, before.size(), a.log());

            // systemctl reload's ExecReload=/bin/kill -HUP $MAINPID: $MAINPID is bandaid.
            assertEquals(0, new ProcessBuilder("kill", "-HUP", Long.toString(a.pid())).start().waitFor());

            Set<Long> after = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline) {
                after = master.children().map(ProcessHandle::pid).filter(p -> !before.contains(p)).collect(Collectors.toSet());
                if (after.size() == 2 && master.children().noneMatch(c -> before.contains(c.pid()))) {
                    break;
                }
                Thread.sleep(50);
            }
            assertEquals(2, after.size(), "no new workers after HUP:\n" + a.log());
            assertBothAnswer(portA, portB, a.log());
            for (long worker : after) {
                a.assertServedOnPassed(worker, 3, 4);
            }
        }
    }

    @Test
    void nginxAsADaemonIsServedUntilItStops(@TempDir Path dir) throws Exception {
        int portA = Net.freePort();
        int portB = Net.freePort();
        List<String> program = Nginx.command(dir, new Nginx.Block("127.0.0.1:" + portA, "port-a"), new Nginx.Block("127.0.0.1:" + portB, "port-b"));
        Path conf = dir.resolve("nginx.conf");
        Files.writeString(conf, Files.readString(conf).replace("daemon off;", "daemon on;"));
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + portA, "-l", "127.0.0.1:" + portB), program)) {
            assertBothAnswer(portA, portB, a.log());
            long master = Long.parseLong(Files.readString(dir.resolve("nginx.pid")).strip());
            if (!Bandaid.BROKER_MODE) {
                assertTrue(a.process().isAlive(), "bandaid left while nginx runs as a daemon:\n" + a.log());
                assertEquals(a.pid(), ProcessHandle.of(master).flatMap(ProcessHandle::parent).map(ProcessHandle::pid).orElse(-1L),
                        "the daemonized master should have become bandaid's child");
            }
            // nginx -s quit: a graceful stop (SIGQUIT to the master); bandaid follows with the
            // status of nginx's first process, which exited 0 when it daemonized.
            assertEquals(0, new ProcessBuilder("kill", "-QUIT", Long.toString(master)).start().waitFor());
            assertTrue(a.waitFor(Duration.ofSeconds(15)), "bandaid still runs after nginx stopped:\n" + a.log());
            assertEquals(0, a.process().exitValue(), a.log());
        }
    }
}
