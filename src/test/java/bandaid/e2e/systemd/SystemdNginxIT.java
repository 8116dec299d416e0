package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * nginx (master and workers) on two sockets of one socket unit, and systemctl reload: the HUP
 * goes to bandaid ($MAINPID), which passes it on to the nginx master, which re-reads its
 * configuration and starts new workers on the same passed sockets.
 */
class SystemdNginxIT {
    private static final String CONF = "/etc/bandaid-test/nginx.conf";
    @RegisterExtension
    static final Container container = Container.perClass("nginx");

    private static String config(String first, String second) {
        return """
                daemon off;
                master_process on;
                worker_processes 2;
                pid /run/nginx-bandaid.pid;
                error_log stderr notice;
                events { worker_connections 64; }
                http {
                    access_log off;
                    server { listen 127.0.0.1:8181; location / { return 200 "%s\\n"; } }
                    server { listen 127.0.0.1:8182; location / { return 200 "%s\\n"; } }
                }
                """.formatted(first, second);
    }

    @Test
    void eachPortIsAnsweredByItsOwnServerAndReloadBringsUpNewWorkers() throws Exception {
        container.write(CONF, config("one", "two"));
        container.install(Map.of(
                "nginx-test.socket", """
                        [Socket]
                        ListenStream=127.0.0.1:8181
                        ListenStream=127.0.0.1:8182
                        FileDescriptorName=web
                        """,
                "nginx-test.service", """
                        [Service]
                        ExecStart=%s -v -- /usr/sbin/nginx -c %s
                        ExecReload=/bin/kill -HUP $MAINPID
                        """.formatted(Container.BANDAID, CONF)));
        container.ok("systemctl start nginx-test.socket");
        assertAnswers("one", "two");

        String unit = "nginx-test.service";
        List<String> lines = container.awaitMessage(unit, "bind(127.0.0.1:8182)");
        assertTrue(lines.contains("bandaid: Received fd 3 \"web\" (127.0.0.1:8181) AF_INET SOCK_STREAM"), String.join("\n", lines));
        assertTrue(lines.contains("bandaid: Received fd 4 \"web\" (127.0.0.1:8182) AF_INET SOCK_STREAM"), String.join("\n", lines));
        String listeners = container.ok("ss -Hltnp '( sport = :8181 or sport = :8182 )'");
        assertEquals(2, listeners.lines().count(), "only systemd's two sockets listen:\n" + listeners);
        assertTrue(listeners.lines().allMatch(l -> l.contains("\"nginx\"") && l.contains("\"systemd\",pid=1")), listeners);

        String main = container.property(unit, "MainPID");
        String master = container.ok("cat /proc/" + main + "/task/*/children").strip();
        Set<String> before = awaitWorkers(master, Set.of());

        // The new configuration answers differently, so the answers tell that the reload took.
        container.write(CONF, config("uno", "dos"));
        container.ok("systemctl reload " + unit);
        Set<String> after = awaitWorkers(master, before);
        assertAnswers("uno", "dos");
        assertEquals(main, container.property(unit, "MainPID"), "bandaid stays the main process");
        assertEquals("active", container.state(unit));
        System.out.println("nginx workers before reload " + before + ", after " + after);
        System.out.println("journalctl -u " + unit + ":\n" + container.journal(unit));
    }

    private static void assertAnswers(String first, String second) throws Exception {
        Container.Http one = container.get("http://127.0.0.1:8181/");
        assertEquals(first + "\n", one.body(), one + "\n" + container.journal("nginx-test.service"));
        Container.Http two = container.get("http://127.0.0.1:8182/");
        assertEquals(second + "\n", two.body(), two + "\n" + container.journal("nginx-test.service"));
    }

    /** Waits until the master has two workers, none of them in {@code old}; returns their pids. */
    private static Set<String> awaitWorkers(String master, Set<String> old) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            Set<String> workers = new HashSet<>(container.ok("pgrep -P " + master + " -f 'nginx: worker process' || true").lines().toList());
            if (workers.size() == 2 && workers.stream().noneMatch(old::contains)) {
                return workers;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("nginx master " + master + " has workers " + workers + " (old: " + old + ")\n"
                        + container.journal("nginx-test.service"));
            }
            Thread.sleep(100);
        }
    }
}
