package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Serving from a box with no network: PrivateNetwork=yes puts bandaid and the program in a
 * network namespace with only a loopback of its own, while systemd's socket lives in the host's.
 * The program serves on the passed socket, sees each client's own address, and cannot reach
 * anything; --exit-idle-time counts the connections it holds there, with the hardening bandaid
 * supports (whose SystemCallFilter= keeps bandaid from pidfd_getfd) and without.
 */
class SystemdPrivateNetworkIT {
    /** SystemdHardeningIT's unit, with the filter bandaid needs, and no network. */
    private static final String HARDENING = "PrivateNetwork=yes\n" + SystemdHardeningIT.HARDENING + "SystemCallFilter=@system-service seccomp\n";
    /** Tries to reach outside and says how that went, then answers each GET with the client's address. */
    private static final String SERVER = Container.INSIDE + "/src/test/resources/servers/client_address.py";

    @RegisterExtension
    static final Container container = Container.perClass("privnet");

    private static void install(String name, int port, String options, String service) throws Exception {
        container.install(Map.of(
                name + ".socket", "[Socket]\nListenStream=127.0.0.1:" + port + "\n",
                name + ".service", "[Service]\nExecStart=" + Container.BANDAID + " " + options + " -- " + Container.PYTHON
                        + " " + SERVER + " " + port + "\n" + service));
        container.ok("systemctl start " + name + ".socket");
    }

    @Test
    void pythonServesTheClientsOwnAddressAndCannotReachAnything() throws Exception {
        install("web", 8501, "", HARDENING);
        Container.Result r = container.exec(Duration.ofSeconds(60), "curl", "-sS", "-m", "30", "--interface", "127.0.0.9",
                "http://127.0.0.1:8501/");
        assertEquals("127.0.0.9", r.stdout(), r + "\n" + container.journal("web.service"));
        container.awaitMessage("web.service", "outbound:");
        assertTrue(container.messages("web.service").contains("outbound: Network is unreachable"), container.journal("web.service"));
        String main = container.property("web.service", "MainPID");
        String links = container.ok("ip -o link show; echo ---; nsenter --target " + main + " --net ip -o link show");
        assertTrue(links.substring(links.indexOf("---")).lines().skip(1).allMatch(l -> l.contains(": lo:")),
                "the service's namespace has only a loopback:\n" + links);
        System.out.println("journalctl -u web.service:\n" + container.journal("web.service"));
    }

    @Test
    void nginxServesFromAPrivateNetwork() throws Exception {
        container.write("/etc/bandaid-test/nginx.conf", """
                daemon off;
                master_process on;
                worker_processes 2;
                pid /run/nginx-privnet/nginx.pid;
                error_log stderr notice;
                events { worker_connections 64; }
                http {
                    access_log off;
                    client_body_temp_path /run/nginx-privnet;
                    proxy_temp_path /run/nginx-privnet;
                    fastcgi_temp_path /run/nginx-privnet;
                    uwsgi_temp_path /run/nginx-privnet;
                    scgi_temp_path /run/nginx-privnet;
                    server { listen 127.0.0.1:8502; location / { return 200 "$remote_addr\\n"; } }
                }
                """);
        container.install(Map.of(
                "ngx.socket", "[Socket]\nListenStream=127.0.0.1:8502\n",
                "ngx.service", "[Service]\nExecStart=" + Container.BANDAID + " -- /usr/sbin/nginx -c /etc/bandaid-test/nginx.conf\n"
                        + "PrivateNetwork=yes\nRuntimeDirectory=nginx-privnet\n"));
        container.ok("systemctl start ngx.socket");
        Container.Result r = container.exec(Duration.ofSeconds(60), "curl", "-sS", "-m", "30", "--interface", "127.0.0.10",
                "http://127.0.0.1:8502/");
        assertEquals("127.0.0.10\n", r.stdout(), r + "\n" + container.journal("ngx.service"));
        assertEquals("active", container.state("ngx.service"));
    }

    /** With the hardening: bandaid counts the TCP sockets the program holds by their protocol names. */
    @Test
    void idleWithTheHardeningStopsAndAnOpenConnectionKeepsItRunning() throws Exception {
        install("idleh", 8503, "--exit-idle-time=2s", HARDENING);
        assertIdleTimeHolds("idleh", 8503);
    }

    /**
     * Without a unit filter bandaid tries pidfd_getfd; nspawn's own filter refuses it (EPERM), so
     * here too by protocol names. The way by duplicates is PrivateNetworkIT's, on the host.
     */
    @Test
    void idleWithPrivateNetworkOnlyStopsAndAnOpenConnectionKeepsItRunning() throws Exception {
        install("idlep", 8504, "-v --exit-idle-time=2s", "PrivateNetwork=yes\n");
        assertIdleTimeHolds("idlep", 8504);
    }

    private static void assertIdleTimeHolds(String name, int port) throws Exception {
        String unit = name + ".service";
        // A client that holds a connection open for 8 s without a request, outside the test's thread.
        container.ok("(exec 3<>/dev/tcp/127.0.0.1/" + port + "; sleep 8) >/dev/null 2>&1 &");
        container.awaitState(unit, "active");
        Thread.sleep(6000);
        assertEquals("active", container.state(unit), "stopped while a connection was open:\n" + container.journal(unit));
        container.awaitState(unit, "inactive");
        assertEquals("success", container.property(unit, "Result"), container.journal(unit));
        List<String> lines = container.messages(unit);
        assertTrue(lines.stream().anyMatch(l -> l.contains("No connection for 2s: stopping the program (--exit-idle-time)")),
                String.join("\n", lines));
        // The next connection starts it again.
        assertEquals(200, container.get("http://127.0.0.1:" + port + "/").status(), container.journal(unit));
        System.out.println("journalctl -u " + unit + ":\n" + container.journal(unit));
    }
}
