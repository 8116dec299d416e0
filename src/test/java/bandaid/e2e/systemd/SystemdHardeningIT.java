package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * bandaid in a hardened unit. SystemCallFilter=@system-service does not allow seccomp(2) (systemd
 * 252), which bandaid needs for its own filter: blocked with the default action, bandaid is
 * killed by SIGSYS; blocked with SystemCallErrorNumber=EPERM, it says what to add and exits 77 (NOPERM);
 * with seccomp added to the filter, as the README says, the service runs.
 */
class SystemdHardeningIT {
    /** A unit hardened the way systemd-analyze security asks, except for what each test varies. */
    static final String HARDENING = """
            DynamicUser=yes
            NoNewPrivileges=yes
            CapabilityBoundingSet=
            ProtectSystem=strict
            ProtectHome=yes
            PrivateTmp=yes
            PrivateDevices=yes
            ProtectProc=invisible
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectKernelLogs=yes
            ProtectControlGroups=yes
            ProtectClock=yes
            ProtectHostname=yes
            RestrictNamespaces=yes
            RestrictRealtime=yes
            RestrictSUIDSGID=yes
            LockPersonality=yes
            RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
            SystemCallArchitectures=native
            UMask=0077
            """;

    @RegisterExtension
    static final Container container = Container.perClass("hardening");

    /** A socket and service pair named NAME on PORT, with the hardening and {@code filter}. */
    private static void install(String name, int port, String filter) throws Exception {
        container.install(Map.of(
                name + ".socket", "[Socket]\nListenStream=127.0.0.1:" + port + "\n",
                name + ".service", "[Service]\nExecStart=" + Container.BANDAID + " -- " + Container.PYTHON
                        + " -m http.server " + port + " --bind 127.0.0.1\n" + HARDENING + filter));
        container.ok("systemctl start " + name + ".socket");
    }

    @Test
    void systemServiceWithoutSeccompKillsBandaidBySigsys() throws Exception {
        install("nosec", 8401, "SystemCallFilter=@system-service\n");
        // The filter is installed when bandaid starts, before any connection is accepted.
        container.ok("systemctl start nosec.service");
        container.awaitState("nosec.service", "failed");
        assertEquals("signal", container.property("nosec.service", "Result"), container.journal("nosec.service"));
        assertEquals("31", container.property("nosec.service", "ExecMainStatus"), "SIGSYS:\n" + container.journal("nosec.service"));
        assertTrue(container.journal("nosec.service").contains("code=killed, status=31/SYS"), container.journal("nosec.service"));
        System.out.println("journalctl -u nosec.service:\n" + container.journal("nosec.service"));
    }

    @Test
    void systemServiceWithEpermSaysToAddSeccompAndExits77() throws Exception {
        install("eperm", 8402, "SystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM\n");
        container.ok("systemctl start eperm.service");
        container.awaitState("eperm.service", "failed");
        assertEquals("77", container.property("eperm.service", "ExecMainStatus"), container.journal("eperm.service"));
        // What an admin sees: the sysexits name systemd gives the status fits the cause.
        String status = container.sh("systemctl status --no-pager eperm.service").stdout();
        assertTrue(status.contains("status=77/NOPERM"), status);
        List<String> lines = container.awaitMessage("eperm.service", "bandaid:");
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.getFirst().startsWith("bandaid: seccomp(") && lines.getFirst().endsWith(
                ": seccomp(2) is blocked by a filter bandaid runs under; in a systemd unit with SystemCallFilter=, add seccomp"
                + " (SystemCallFilter=@system-service seccomp); in a container, use a seccomp profile that allows seccomp"),
                lines.getFirst());
        System.out.println("journalctl -u eperm.service:\n" + container.journal("eperm.service"));
    }

    @Test
    void systemServiceWithSeccompAddedServes() throws Exception {
        install("withsec", 8403, "SystemCallFilter=@system-service seccomp\n");
        Container.Http response = container.get("http://127.0.0.1:8403/");
        assertEquals(200, response.status(), response + "\n" + container.journal("withsec.service"));
        assertEquals("active", container.state("withsec.service"), container.journal("withsec.service"));
        String listeners = container.ok("ss -Hltnp 'sport = :8403'");
        assertTrue(listeners.contains("\"python3\""), listeners);
        String main = container.property("withsec.service", "MainPID");
        assertTrue(container.ok("cat /proc/" + main + "/status").contains("\nSeccomp:\t2\n"), "the unit's filter is on bandaid");
        // Stopping passes SIGTERM on to python (pidfd_send_signal, in @process): no SIGSYS there either.
        container.ok("systemctl stop withsec.service");
        assertNotEquals("31", container.property("withsec.service", "ExecMainStatus"), container.journal("withsec.service"));
    }

    /**
     * If bandaid itself is killed with SIGKILL, the seccomp listener goes with it and the
     * program's later binds would fail with ENOSYS (README, limitations): under systemd nothing of
     * the program lingers, since the main process's end stops the unit's whole cgroup.
     */
    @Test
    void bandaidKilledBySigkillTakesTheProgramWithIt() throws Exception {
        install("killed", 8404, "SystemCallFilter=@system-service seccomp\n");
        Container.Http response = container.get("http://127.0.0.1:8404/");
        assertEquals(200, response.status(), response + "\n" + container.journal("killed.service"));
        String main = container.property("killed.service", "MainPID");
        String python = container.ok("pgrep -P " + main + " python3").strip();
        assertTrue(!python.isEmpty(), container.journal("killed.service"));
        container.ok("kill -KILL " + main);
        container.awaitState("killed.service", "failed");
        assertEquals("", container.ok("systemctl show -p ControlGroup --value killed.service").isBlank() ? ""
                : container.ok("cat /sys/fs/cgroup$(systemctl show -p ControlGroup --value killed.service)/cgroup.procs 2>/dev/null || true").strip(),
                "nothing of the unit is left in its cgroup");
        assertTrue(container.sh("kill -0 " + python).exitCode() != 0, "the program (pid " + python + ") was stopped with bandaid");
    }
}
