package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * bandaid as the ExecStart= of services that systemd (PID 1, in a container) starts from socket
 * units: the README's unit pair, systemd-run's transient pair, a privileged port for an
 * unprivileged user, and the refusal of Accept=yes.
 */
class SystemdSocketUnitIT {
    @RegisterExtension
    static final Container container = Container.perClass("socket");

    private static String python(int port) {
        return Container.PYTHON + " -m http.server " + port + " --bind 127.0.0.1";
    }

    @Test
    void theReadmeUnitPairStartsOnTheFirstConnectionAndServesOnSystemdsSocket() throws Exception {
        // The pair exactly as `bandaid unit` writes it (README, "Using it with systemd").
        container.ok(Container.BANDAID + " unit web --listen 127.0.0.1:8080 --write /etc/systemd/system -- "
                + python(8080) + " && systemctl daemon-reload");
        assertTrue(container.ok("cat /etc/systemd/system/web.service").contains("ExecStart=" + Container.BANDAID + " -- " + python(8080)));
        container.ok("systemctl start web.socket");
        assertEquals("inactive", container.state("web.service"), "nothing starts the service before a connection");

        Container.Http response = container.get("http://127.0.0.1:8080/");
        assertEquals(200, response.status(), response + "\n" + container.journal("web.service"));
        assertTrue(response.body().contains("Directory listing"), response.body());
        assertEquals("active", container.state("web.service"), container.journal("web.service"));

        // One socket listens on the port, systemd's, and python holds it: python did not bind one of its own.
        String listeners = container.ok("ss -Hltnp 'sport = :8080'");
        assertEquals(1, listeners.lines().count(), listeners);
        assertTrue(listeners.contains("\"systemd\",pid=1") && listeners.contains("\"python3\""), listeners);
        String main = container.property("web.service", "MainPID");
        assertEquals("bandaid", container.ok("cat /proc/" + main + "/comm").strip(), "bandaid is the main process");
        container.awaitMessage("web.service", "\"GET / HTTP/1.1\" 200");
        System.out.println("journalctl -u web.service:\n" + container.journal("web.service"));
    }

    @Test
    void aTransientPairFromSystemdRunGetsItsSocketByName() throws Exception {
        container.ok("systemd-run --quiet --socket-property=ListenStream=127.0.0.1:8082 --unit=runweb -- "
                + Container.BANDAID + " -v -- " + python(8082));
        assertEquals("active", container.state("runweb.socket"));
        assertEquals("inactive", container.state("runweb.service"));

        Container.Http response = container.get("http://127.0.0.1:8082/");
        assertEquals(200, response.status(), response + "\n" + container.journal("runweb.service"));
        assertEquals("active", container.state("runweb.service"));
        // The transient service is passed its socket named after the socket unit (LISTEN_FDNAMES).
        List<String> lines = container.awaitMessage("runweb.service", "bind(127.0.0.1:8082)");
        assertTrue(lines.contains("bandaid: Received fd 3 \"runweb.socket\" (127.0.0.1:8082) AF_INET SOCK_STREAM"), String.join("\n", lines));
        assertTrue(lines.stream().anyMatch(l -> l.matches("bandaid: bind\\(127\\.0\\.0\\.1:8082\\) from python3\\[\\d+] fd \\d+ -> passed fd 3 \"runweb.socket\" \\(127\\.0\\.0\\.1:8082\\)")),
                String.join("\n", lines));
        // The journal knows bandaid's priorities (<7> for these lines, sd-daemon(3)).
        String debugOnly = container.ok("journalctl -q -u runweb.service -p debug..debug -o cat");
        assertTrue(debugOnly.contains("bandaid: Received fd 3 \"runweb.socket\""), debugOnly);
        String warnings = container.ok("journalctl -q -u runweb.service -p warning -o cat");
        assertFalse(warnings.contains("bandaid: "), warnings);
    }

    @Test
    void aPrivilegedPortIsServedByAnUnprivilegedUser() throws Exception {
        // The control: port 80 is privileged in the container's network namespace, so nobody
        // cannot bind it without bandaid.
        Container.Result control = container.sh("systemd-run --quiet --wait --pipe --uid=nobody -- " + Container.PYTHON
                + " -c 'import socket; socket.socket().bind((\"127.0.0.1\", 80))'");
        assertNotEquals(0, control.exitCode(), control.toString());
        assertTrue(control.stderr().contains("PermissionError"), control.toString());

        container.install(Map.of(
                "low.socket", "[Socket]\nListenStream=127.0.0.1:80\n",
                "low.service", "[Service]\nUser=nobody\nExecStart=" + Container.BANDAID + " -- " + python(80) + "\n"));
        container.ok("systemctl start low.socket");
        Container.Http response = container.get("http://127.0.0.1:80/");
        assertEquals(200, response.status(), response + "\n" + container.journal("low.service"));

        String main = container.property("low.service", "MainPID");
        String python = container.ok("cat /proc/" + main + "/task/*/children").strip();
        for (String pid : List.of(main, python)) {
            String status = container.ok("cat /proc/" + pid + "/status");
            assertTrue(status.contains("\nUid:\t65534\t65534\t65534\t65534\n"), status);
            assertTrue(status.contains("\nCapEff:\t0000000000000000\n"), status);
            assertTrue(status.contains("\nCapPrm:\t0000000000000000\n"), status);
        }
        String listeners = container.ok("ss -Hltnp 'sport = :80'");
        assertTrue(listeners.contains("\"python3\",pid=" + python + ","), listeners);
    }

    @Test
    void acceptYesIsRefusedWithTheAdviceToUseAcceptNo() throws Exception {
        container.install(Map.of(
                "each.socket", "[Socket]\nListenStream=127.0.0.1:8090\nAccept=yes\n",
                "each@.service", "[Service]\nExecStart=" + Container.BANDAID + " -- " + python(8090) + "\n"));
        container.ok("systemctl start each.socket");
        Container.Http response = container.get("http://127.0.0.1:8090/");
        assertEquals(0, response.status(), "bandaid refuses before any program runs: " + response);

        String instance = container.ok("systemctl list-units --all --plain --no-legend 'each@*.service' | awk '{print $1}'").strip();
        assertTrue(instance.startsWith("each@"), instance);
        container.awaitState(instance, "failed");
        assertEquals("78", container.property(instance, "ExecMainStatus"), container.journal(instance));
        List<String> lines = container.awaitMessage(instance, "Accept=no");
        assertEquals(List.of("bandaid: passed fd 3 \"connection\" is a connected SOCK_STREAM socket, not a listening one:"
                + " bandaid needs Accept=no in the .socket unit (Accept=yes passes one connection per instance)"), lines);
        System.out.println("journalctl -u " + instance + ":\n" + container.journal(instance));
    }

    /** --exit-idle-time: idle -> the service stops cleanly (inactive, not failed) -> the next request starts it again. */
    @Test
    void anIdleServiceStopsAndTheNextConnectionStartsItAgain() throws Exception {
        container.install(Map.of(
                "idle.socket", "[Socket]\nListenStream=127.0.0.1:8084\n",
                "idle.service", "[Service]\nExecStart=" + Container.BANDAID + " --exit-idle-time=2s -- " + python(8084) + "\n"));
        container.ok("systemctl start idle.socket");
        assertEquals(200, container.get("http://127.0.0.1:8084/").status(), container.journal("idle.service"));
        assertEquals("active", container.state("idle.service"));
        container.awaitState("idle.service", "inactive");
        assertEquals("success", container.property("idle.service", "Result"), container.journal("idle.service"));
        assertTrue(container.journal("idle.service").contains("No connection for 2s: stopping the program (--exit-idle-time)"),
                container.journal("idle.service"));
        assertEquals(200, container.get("http://127.0.0.1:8084/").status(), container.journal("idle.service"));
        assertEquals("active", container.state("idle.service"));
    }
}
