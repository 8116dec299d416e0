package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fix bandaid's warnings give for a server that makes itself non-dumpable, run as unit lines
 * under a real systemd, inside a container whose seccomp filter (systemd-nspawn's) refuses
 * pidfd_getfd: with User=nobody (and with the units `bandaid unit --harden` writes, DynamicUser=
 * and an empty CapabilityBoundingSet=), bandaid cannot read the server's bind() address and says
 * how to fix it; with CAP_SYS_PTRACE alone it reads the address but may not enter the server's fd
 * directory (root's, mode 0500) to see its socket, and says that, once, with the rest of the fix;
 * with AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH (and both in the bounding set) the
 * server is served, and has no capability itself. (issue 23, item 5)
 */
class SystemdNonDumpableIT {
    @RegisterExtension
    static final Container container = Container.perClass("nondumpable");

    private static final String SERVER = Container.INSIDE + "/src/test/resources/servers/nondumpable.py";
    /** What the server answers: its own capability sets, the CapEff and CapAmb lines of /proc/self/status. */
    private static final String NO_CAPABILITIES = "CapEff:\t0000000000000000\nCapAmb:\t0000000000000000\n";
    /** The fix both warnings give here, where bandaid cannot take duplicates of the program's fds. */
    private static final String FIX = "give bandaid CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: in its unit, AmbientCapabilities=CAP_SYS_PTRACE"
            + " CAP_DAC_READ_SEARCH (and both in CapabilityBoundingSet= if the unit sets one; bandaid keeps them from the program);"
            + " until then such calls run as it made them, without the passed sockets";

    private static String server(int port) {
        return Container.PYTHON + " " + SERVER + " 127.0.0.1 " + port;
    }

    /** One connection's answer, read inside the container. */
    private static String read(int port) throws Exception {
        return container.sh(Container.PYTHON + " -c \"import socket; s = socket.create_connection(('127.0.0.1', " + port
                + "), timeout=30); print(s.recv(200).decode(), end='')\"").stdout();
    }

    /** Starts secret.service anew with {@code capabilities} as its drop-in, and makes a connection start it. */
    private static void restart(String capabilities) throws Exception {
        container.write("/etc/systemd/system/secret.service.d/caps.conf", "[Service]\n" + capabilities);
        container.ok("systemctl stop secret.socket secret.service; systemctl reset-failed; systemctl daemon-reload"
                + " && systemctl start secret.socket");
    }

    /** Waits until the unit's journal has {@code count} lines equal to {@code line}. */
    private static List<String> awaitLines(String unit, String line, int count) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<String> lines = container.awaitMessage(unit, line);
            if (lines.stream().filter(line::equals).count() >= count) {
                return lines;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(count + " times \"" + line + "\" expected:\n" + String.join("\n", lines));
            }
            Thread.sleep(100);
        }
    }

    @Test
    void userNobodyServesANonDumpableServerWithAmbientCapSysPtraceAndCapDacReadSearch() throws Exception {
        container.install(Map.of(
                "secret.socket", "[Socket]\nListenStream=127.0.0.1:8095\n",
                "secret.service", "[Service]\nUser=nobody\nExecStart=" + Container.BANDAID + " -- " + server(8095) + "\n"));
        container.ok("systemctl start secret.socket");
        // A connection starts the service, whose bind() fails: nobody will answer it.
        container.ok(Container.PYTHON + " -c \"import socket; socket.create_connection(('127.0.0.1', 8095)).close()\"");
        List<String> lines = awaitLines("secret.service", "8095 failed errno 98", 1);
        List<String> unreadable = lines.stream().filter(l -> l.contains("made itself non-dumpable")).toList();
        assertEquals(1, unreadable.size(), String.join("\n", lines));
        assertTrue(unreadable.getFirst().matches("bandaid: (?:WARN: )?cannot read the address of python3\\[(\\d+)]'s bind\\(\\): process_vm_readv:"
                + " EPERM \\(Operation not permitted\\): python3\\[\\1] made itself non-dumpable \\(prctl PR_SET_DUMPABLE 0, as"
                + " daemons that hold secrets do\\), and bandaid, running as uid 65534, needs CAP_SYS_PTRACE to read its memory, and"
                + " CAP_DAC_READ_SEARCH to enter its fd directory \\(/proc/\\1/fd, mode 0500, not bandaid's\\) where it cannot take"
                + " duplicates of its fds with pidfd_getfd, as here; " + Pattern.quote(FIX)), unreadable.getFirst());

        // CAP_SYS_PTRACE alone: the address is read, but the socket on the fd cannot be seen, which
        // bandaid says once, with the rest of the fix; the call continues, as the program made it.
        restart("AmbientCapabilities=CAP_SYS_PTRACE\n");
        container.ok(Container.PYTHON + " -c \"import socket; socket.create_connection(('127.0.0.1', 8095)).close()\"");
        lines = awaitLines("secret.service", "8095 failed errno 98", 2);
        List<String> unseen = lines.stream().filter(l -> l.contains("cannot look at fd")).toList();
        assertEquals(1, unseen.size(), String.join("\n", lines));
        assertTrue(unseen.getFirst().matches("bandaid: (?:WARN: )?cannot look at fd 3 of python3\\[(\\d+)], the socket of its bind\\(\\):"
                + " getxattr\\(/proc/\\1/fd/3, system\\.sockprotoname\\): EACCES \\(Permission denied\\): python3\\[\\1] made itself"
                + " non-dumpable \\(prctl PR_SET_DUMPABLE 0, as daemons that hold secrets do\\), so its fd directory /proc/\\1/fd belongs"
                + " to root, mode 0500, and bandaid, running as uid 65534, needs CAP_DAC_READ_SEARCH to enter it \\(and CAP_SYS_PTRACE to"
                + " follow the fd's link\\): it looks there because it cannot take a duplicate of the fd with pidfd_getfd, which needs"
                + " CAP_SYS_PTRACE only \\(pidfd_getfd: EPERM \\(Operation not permitted\\): refused by a filter bandaid runs under\\);"
                + " " + Pattern.quote(FIX.replace("; until", ", or allow pidfd_getfd in the seccomp filter that refuses it (a"
                + " container's); until"))), unseen.getFirst());

        // The fix the warnings give.
        restart("AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH\n");
        assertEquals(NO_CAPABILITIES, read(8095), container.journal("secret.service"));
        container.awaitMessage("secret.service", "CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH in the ambient capabilities are bandaid's");
        System.out.println("journalctl -u secret.service:\n" + container.journal("secret.service"));
    }

    @Test
    void aHardenedUnitNeedsBothCapabilitiesInItsBoundingSetToo() throws Exception {
        container.ok(Container.BANDAID + " unit hidden --listen 127.0.0.1:8096 --harden --write /etc/systemd/system -- "
                + server(8096) + " && systemctl daemon-reload");
        container.write("/etc/systemd/system/hidden.service.d/caps.conf", "[Service]\nAmbientCapabilities=CAP_SYS_PTRACE"
                + " CAP_DAC_READ_SEARCH\nCapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH\n");
        container.ok("systemctl daemon-reload && systemctl start hidden.socket");
        assertEquals(NO_CAPABILITIES, read(8096), container.journal("hidden.service"));
        assertEquals("active", container.state("hidden.service"), container.journal("hidden.service"));
    }
}
