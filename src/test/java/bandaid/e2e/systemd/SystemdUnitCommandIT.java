package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Units that {@code bandaid unit} writes, started by a real systemd (PID 1 in a container): a
 * template with an instance per port, a --harden unit (its systemd-analyze security score
 * asserted), one with --private-network, and units --learn wrote from the programs themselves.
 * Every one passes systemd-analyze verify.
 */
class SystemdUnitCommandIT {
    /** issue 16: the hardened unit must rate below this in systemd-analyze security (0 safe .. 10 exposed). */
    private static final double EXPOSURE_LIMIT = 5.0;
    private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+)");
    private static final String SPLIT = Container.INSIDE + "/src/test/resources/servers/split_families.py";

    @RegisterExtension
    static final Container container = Container.perClass("unitcmd");

    private static String unit(String args) throws Exception {
        return container.ok(Container.BANDAID + " unit " + args + " && systemctl daemon-reload");
    }

    /** systemd-analyze verify of the written files: nothing to say, and success. */
    private static void verify(String... files) throws Exception {
        StringBuilder paths = new StringBuilder();
        for (String file : files) {
            paths.append(" /etc/systemd/system/").append(file);
        }
        Container.Result r = container.sh("systemd-analyze verify" + paths);
        assertEquals(0, r.exitCode(), "systemd-analyze verify" + paths + ": " + r);
        assertEquals("", r.stderr().strip(), "systemd-analyze verify" + paths + " has warnings: " + r);
    }

    private static double exposure(String service) throws Exception {
        String report = container.ok("systemd-analyze security --no-pager " + service);
        Matcher m = EXPOSURE.matcher(report);
        assertTrue(m.find(), report);
        System.out.println("systemd-analyze security " + service + ":\n" + report);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void aTemplateStartsAnInstancePerPortEachOnItsOwnSocket() throws Exception {
        String wrote = unit("web@ --listen 127.0.0.1:%i --write /etc/systemd/system -- " + Container.PYTHON
                + " -m http.server %i --bind 127.0.0.1");
        assertTrue(wrote.contains("systemctl start web@INSTANCE.socket"), wrote);
        // verify instantiates a template file as web@i, whose %i is no port: name instances, which it loads from the templates.
        verify("web@8101.socket", "web@8101.service");
        // ... and does read them: the same template with a port that is no number fails.
        container.ok("sed 's/:%i/:x%i/' /etc/systemd/system/web@.socket > /etc/systemd/system/bad@.socket");
        assertNotEquals(0, container.sh("systemd-analyze verify /etc/systemd/system/bad@8101.socket").exitCode());
        container.ok("systemctl start web@8101.socket web@8102.socket");
        assertEquals("inactive", container.state("web@8101.service"));
        for (String port : List.of("8101", "8102")) {
            Container.Http response = container.get("http://127.0.0.1:" + port + "/");
            assertEquals(200, response.status(), response + "\n" + container.journal("web@" + port + ".service"));
            assertEquals("active", container.state("web@" + port + ".service"));
            String listeners = container.ok("ss -Hltnp 'sport = :" + port + "'");
            assertEquals(1, listeners.lines().count(), listeners);
            assertTrue(listeners.contains("\"systemd\",pid=1") && listeners.contains("\"python3\""), listeners);
        }
    }

    /**
     * Writes NAME with {@code options}, checks it with systemd-analyze (verify, and security below
     * the limit), starts its socket and gets a page: returns the service's main pid.
     */
    private static String hardenedServes(String name, int port, String options) throws Exception {
        unit(name + " --listen 127.0.0.1:" + port + " " + options + " --write /etc/systemd/system -- " + Container.PYTHON
                + " -m http.server " + port + " --bind 127.0.0.1");
        verify(name + ".socket", name + ".service");
        double exposure = exposure(name + ".service");
        assertTrue(exposure < EXPOSURE_LIMIT, "systemd-analyze security rates " + name + ".service " + exposure);
        container.ok("systemctl start " + name + ".socket");
        Container.Http response = container.get("http://127.0.0.1:" + port + "/");
        assertEquals(200, response.status(), response + "\n" + container.journal(name + ".service"));
        return container.property(name + ".service", "MainPID");
    }

    @Test
    void aHardenedUnitServesAndRatesBelowFive() throws Exception {
        String main = hardenedServes("hard", 8103, "--harden");
        String status = container.ok("cat /proc/" + main + "/status");
        assertTrue(status.contains("\nSeccomp:\t2\n") && status.contains("\nNoNewPrivs:\t1\n") && status.contains("\nCapEff:\t0000000000000000\n"),
                status);
        assertNotEquals("0", container.ok("stat -c %u /proc/" + main).strip(), "a dynamic user, not root");
    }

    @Test
    void aPrivateNetworkUnitServesTheHostsSocketFromItsOwnNamespace() throws Exception {
        String main = hardenedServes("priv", 8104, "--harden --private-network");
        assertNotEquals(container.ok("readlink /proc/1/ns/net"), container.ok("readlink /proc/" + main + "/ns/net"));
    }

    /** issue 12, item 17: what the user gives reaches the program as given, and adds no directive. */
    @Test
    void argumentsReachTheProgramByteForByteAndInjectNothing() throws Exception {
        String script = "import sys; print('argv', ' '.join(a.encode('utf-8', 'surrogateescape').hex() for a in sys.argv[1:]))";
        // Through bash's $'...' and printf, so that a new line and a byte that is not UTF-8 reach bandaid unit raw.
        unit("args --listen 127.0.0.1:8108 --write /etc/systemd/system -- " + Container.PYTHON + " -c \"" + script + "\""
                + " $'a\\n[Service]\\nUser=root' '100%' '$HOME' '%i' \"$(printf 'x\\377y')\" 'it'\\''s \"q\"' ';' '' $'tab\\there' 'back\\slash'");
        String service = container.ok("cat /etc/systemd/system/args.service");
        assertEquals(1, service.lines().filter(l -> l.equals("[Service]")).count(), service);
        assertTrue(service.lines().noneMatch(l -> l.startsWith("User=")), service);
        verify("args.socket", "args.service");
        container.ok("systemctl start args.service");
        List<String> lines = container.awaitMessage("args.service", "argv ");
        List<byte[]> expected = List.of("a\n[Service]\nUser=root".getBytes(StandardCharsets.UTF_8), "100%".getBytes(StandardCharsets.UTF_8),
                "$HOME".getBytes(StandardCharsets.UTF_8), "%i".getBytes(StandardCharsets.UTF_8), new byte[] {'x', (byte) 0xff, 'y'},
                "it's \"q\"".getBytes(StandardCharsets.UTF_8), ";".getBytes(StandardCharsets.UTF_8), new byte[0],
                "tab\there".getBytes(StandardCharsets.UTF_8), "back\\slash".getBytes(StandardCharsets.UTF_8));
        String hex = String.join(" ", expected.stream().map(HexFormat.of()::formatHex).toList());
        assertTrue(lines.contains("argv " + hex), "expected argv " + hex + "\n" + String.join("\n", lines) + "\n" + service);
    }

    @Test
    void theUnitLearnedFromPythonsHttpServerServesIt() throws Exception {
        // python's http.server binds 0.0.0.0 (all IPv4 addresses) when given no --bind.
        Container.Result learned = container.sh(Container.BANDAID + " unit learned --learn --write /etc/systemd/system -- "
                + Container.PYTHON + " -m http.server 8105 && systemctl daemon-reload");
        assertEquals(0, learned.exitCode(), learned.toString());
        assertTrue(learned.stderr().lines().anyMatch(l -> l.matches("bandaid: python3\\[\\d+] listens on 0\\.0\\.0\\.0:8105 \\(AF_INET SOCK_STREAM\\)")),
                learned.stderr());
        String socket = container.ok("cat /etc/systemd/system/learned.socket");
        assertTrue(socket.contains("\n[Socket]\nListenStream=0.0.0.0:8105\n# bandaid"), socket);
        assertEquals("", container.ok("ss -Hltn 'sport = :8105'"), "the learning run listened in a namespace of its own");
        verify("learned.socket", "learned.service");
        container.ok("systemctl start learned.socket");
        Container.Http response = container.get("http://127.0.0.1:8105/");
        assertEquals(200, response.status(), response + "\n" + container.journal("learned.service"));
        String listeners = container.ok("ss -Hltnp 'sport = :8105'");
        assertEquals(1, listeners.lines().count(), listeners);
    }

    @Test
    void theUnitLearnedFromAServerThatSplitsTheFamiliesServesEachFamilyAndType() throws Exception {
        Container.Result learned = container.sh("cd /run && " + Container.BANDAID + " unit split --learn --write /etc/systemd/system -- "
                + SPLIT + " 8106 split.sock && systemctl daemon-reload");
        assertEquals(0, learned.exitCode(), learned.toString());
        List<String> saw = learned.stderr().lines().filter(l -> l.contains(" listens on ")).map(l -> l.replaceFirst("\\[\\d+]", "[PID]")).toList();
        assertEquals(List.of("bandaid: split_families.[PID] listens on 0.0.0.0:8106 (AF_INET SOCK_STREAM)",
                "bandaid: split_families.[PID] listens on [::]:8106 (AF_INET6 SOCK_STREAM, IPV6_V6ONLY=1)",
                "bandaid: split_families.[PID] listens on 0.0.0.0:8106 (AF_INET SOCK_DGRAM)",
                "bandaid: split_families.[PID] listens on [::]:8106 (AF_INET6 SOCK_DGRAM, IPV6_V6ONLY=1)",
                "bandaid: split_families.[PID] listens on /run/split.sock (AF_UNIX SOCK_STREAM)"), saw, learned.stderr());
        assertEquals("""
                [Unit]
                Description=split sockets (passed to the program by bandaid)

                [Socket]
                ListenStream=0.0.0.0:8106
                FileDescriptorName=tcp4-8106
                ListenStream=[::]:8106
                FileDescriptorName=tcp6-8106
                ListenDatagram=0.0.0.0:8106
                FileDescriptorName=udp4-8106
                ListenDatagram=[::]:8106
                FileDescriptorName=udp6-8106
                ListenStream=/run/split.sock
                FileDescriptorName=unix
                BindIPv6Only=ipv6-only
                # bandaid hands over listening sockets, not connections.
                Accept=no

                [Install]
                WantedBy=sockets.target
                """, container.ok("cat /etc/systemd/system/split.socket"));
        String service = container.ok("cat /etc/systemd/system/split.service");
        assertTrue(service.contains("\nExecStart=" + Container.BANDAID + " -- " + SPLIT + " 8106 split.sock\n")
                && service.contains("\nWorkingDirectory=/run\n"), service);
        verify("split.socket", "split.service");

        container.ok("systemctl start split.socket");
        String client = """
                import socket, sys
                def tcp(f, a):
                    s = socket.socket(f, socket.SOCK_STREAM); s.settimeout(30); s.connect(a); print(s.makefile().readline().strip())
                def udp(f, a):
                    s = socket.socket(f, socket.SOCK_DGRAM); s.settimeout(30); s.sendto(b"x", a); print(s.recv(100).decode().strip())
                tcp(socket.AF_INET, ("127.0.0.1", 8106)); tcp(socket.AF_INET6, ("::1", 8106))
                udp(socket.AF_INET, ("127.0.0.1", 8106)); udp(socket.AF_INET6, ("::1", 8106))
                tcp(socket.AF_UNIX, "/run/split.sock")
                """;
        container.write("/run/client.py", client);
        Container.Result answers = container.sh(Container.PYTHON + " /run/client.py");
        assertEquals(List.of("ipv4 tcp", "ipv6 tcp", "ipv4 udp", "ipv6 udp", "unix tcp"), answers.stdout().lines().toList(),
                answers + "\n" + container.journal("split.service"));
        // Every one of those is systemd's socket: the program bound none of its own on 8106.
        String listeners = container.ok("ss -Hlnp 'sport = :8106'");
        assertEquals(4, listeners.lines().count(), listeners);
        assertTrue(listeners.lines().allMatch(l -> l.contains("\"systemd\",pid=1")), listeners);
    }
}
