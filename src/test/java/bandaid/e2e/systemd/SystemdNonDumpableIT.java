package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fix bandaid's warning gives for a server that makes itself non-dumpable, run as unit lines
 * under a real systemd: with User=nobody (and with the units `bandaid unit --harden` writes,
 * DynamicUser= and an empty CapabilityBoundingSet=), bandaid cannot read the server's bind()
 * address and says how to fix it; with AmbientCapabilities=CAP_SYS_PTRACE (and the capability in
 * the bounding set) the server is served, and has no capability itself. (issue 23, item 5)
 */
class SystemdNonDumpableIT {
    @RegisterExtension
    static final Container container = Container.perClass("nondumpable");

    private static final String SERVER = Container.INSIDE + "/src/test/resources/servers/nondumpable.py";
    /** What the server answers: its own capability sets, the CapEff and CapAmb lines of /proc/self/status. */
    private static final String NO_CAPABILITIES = "CapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n";

    private static String server(int port) {
        return Container.PYTHON + " " + SERVER + " 127.0.0.1 " + port;
    }

    /** One connection's answer, read inside the container. */
    private static String read(int port) throws Exception {
        return container.sh(Container.PYTHON + " -c \"import socket; s = socket.create_connection(('127.0.0.1', " + port
                + "), timeout=30); print(s.recv(200).decode(), end='')\"").stdout();
    }

    @Test
    void userNobodyServesANonDumpableServerWithAmbientCapSysPtrace() throws Exception {
        container.install(Map.of(
                "secret.socket", "[Socket]\nListenStream=127.0.0.1:8095\n",
                "secret.service", "[Service]\nUser=nobody\nExecStart=" + Container.BANDAID + " -- " + server(8095) + "\n"));
        container.ok("systemctl start secret.socket");
        // A connection starts the service, whose bind() fails: nobody will answer it.
        container.ok(Container.PYTHON + " -c \"import socket; socket.create_connection(('127.0.0.1', 8095)).close()\"");
        List<String> lines = container.awaitMessage("secret.service", "made itself non-dumpable");
        assertTrue(lines.stream().anyMatch(l -> l.contains("bandaid, running as uid 65534, needs CAP_SYS_PTRACE to read its memory;"
                + " give bandaid CAP_SYS_PTRACE: in its unit, AmbientCapabilities=CAP_SYS_PTRACE")), String.join("\n", lines));
        assertTrue(lines.contains("8095 failed errno 98"), String.join("\n", lines));

        // The fix the warning gives.
        container.write("/etc/systemd/system/secret.service.d/ptrace.conf", "[Service]\nAmbientCapabilities=CAP_SYS_PTRACE\n");
        container.ok("systemctl stop secret.socket secret.service; systemctl reset-failed; systemctl daemon-reload"
                + " && systemctl start secret.socket");
        assertEquals(NO_CAPABILITIES, read(8095), container.journal("secret.service"));
        container.awaitMessage("secret.service", "CAP_SYS_PTRACE in the ambient capabilities is bandaid's");
        System.out.println("journalctl -u secret.service:\n" + container.journal("secret.service"));
    }

    @Test
    void aHardenedUnitNeedsTheCapabilityInItsBoundingSetToo() throws Exception {
        container.ok(Container.BANDAID + " unit hidden --listen 127.0.0.1:8096 --harden --write /etc/systemd/system -- "
                + server(8096) + " && systemctl daemon-reload");
        container.write("/etc/systemd/system/hidden.service.d/ptrace.conf",
                "[Service]\nAmbientCapabilities=CAP_SYS_PTRACE\nCapabilityBoundingSet=CAP_SYS_PTRACE\n");
        container.ok("systemctl daemon-reload && systemctl start hidden.socket");
        assertEquals(NO_CAPABILITIES, read(8096), container.journal("hidden.service"));
        assertEquals("active", container.state("hidden.service"), container.journal("hidden.service"));
    }
}
