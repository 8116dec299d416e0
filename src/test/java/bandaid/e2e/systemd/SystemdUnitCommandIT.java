package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
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
    private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: (\\d+\\.\\d+) ([A-Z]+)");
    private static final String SPLIT = Container.INSIDE + "/src/test/resources/servers/split_families.py";
    /** Binds HOST PORT..., answers each connection with "port PORT" (the port it bound). */
    private static final String BIND_EACH = Container.INSIDE + "/src/test/resources/servers/bind_each.py";

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
        return Double.parseDouble(rating(service).split(" ")[0]);
    }

    /** systemd-analyze security's overall rating of {@code service}: "1.3 OK". */
    private static String rating(String service) throws Exception {
        String report = container.ok("systemd-analyze security --no-pager " + service);
        Matcher m = EXPOSURE.matcher(report);
        assertTrue(m.find(), report);
        System.out.println("systemd-analyze security " + service + ":\n" + report);
        return m.group(1) + " " + m.group(2);
    }

    /** issue 24.8: README gives the ratings systemd-analyze security gives (it said 8.2 for a unit without --harden). */
    @Test
    void theReadmeGivesTheRatingsSystemdAnalyzeSecurityGives() throws Exception {
        String readme = Files.readString(Container.ROOT.resolve("README.md"));
        for (String options : List.of("", "--harden", "--harden --private-network")) {
            String name = "rated" + options.replace("--", "").replace(" ", "");
            unit(name + " --listen 127.0.0.1:8109 " + options + " --write /etc/systemd/system -- " + Container.PYTHON + " -m http.server 8109");
            String rating = rating(name + ".service");
            assertTrue(readme.contains("**" + rating + "**"), "README.md does not say **" + rating + "** for bandaid unit " + options);
        }
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

    /** What each of {@code ports} on 127.0.0.1 answers first, one line per port ("-" for nothing). */
    private static List<String> firstLines(int... ports) throws Exception {
        StringBuilder script = new StringBuilder("import socket\nfor port in (");
        for (int port : ports) {
            script.append(port).append(',');
        }
        script.append("""
                ):
                    try:
                        s = socket.create_connection(("127.0.0.1", port), timeout=30)
                        print(s.makefile().readline().strip() or "-")
                    except OSError as e:
                        print("-", e)
                """);
        container.write("/run/first-lines.py", script.toString());
        return container.ok(Container.PYTHON + " /run/first-lines.py").lines().toList();
    }

    /**
     * issue 24.1: a socket unit passes all its sockets under one FileDescriptorName= (the last
     * line's), so bandaid unit writes one socket unit per name; under systemd each name reaches
     * the program, and a --map by every name (the user's and the kind-and-port one) serves. The
     * maps cross (the first socket's name to the second port the program binds), so only names
     * can have chosen.
     */
    @Test
    void aUnitWithSeveralNamedSocketsServesTheProgramsMapByEachName() throws Exception {
        String wrote = unit("named --listen first=127.0.0.1:8201 second=127.0.0.1:8202 127.0.0.1:8203"
                + " --map first=127.0.0.1:9202 --map second=127.0.0.1:9201 --map tcp-8203=127.0.0.1:9203 --write /etc/systemd/system -- "
                + Container.PYTHON + " " + BIND_EACH + " 127.0.0.1 9201 9202 9203");
        assertTrue(wrote.contains("systemctl enable --now named-first.socket named-second.socket named-tcp-8203.socket"), wrote);
        verify("named-first.socket", "named-second.socket", "named-tcp-8203.socket", "named.service");
        container.ok("systemctl start named-first.socket named-second.socket named-tcp-8203.socket");
        assertEquals(List.of("port 9202", "port 9201", "port 9203"), firstLines(8201, 8202, 8203), container.journal("named.service"));
        String main = container.property("named.service", "MainPID");
        String names = container.ok("tr '\\0' '\\n' < /proc/" + main + "/environ | sed -n 's/^LISTEN_FDNAMES=//p'").strip();
        assertEquals(Set.of("first", "second", "tcp-8203"), Set.of(names.split(":")), names);
        // Each port is systemd's socket; the program bound none of its own.
        String listeners = container.ok("ss -Hltnp 'sport >= :8201 and sport <= :8203'");
        assertEquals(3, listeners.lines().count(), listeners);
        assertTrue(listeners.lines().allMatch(l -> l.contains("\"systemd\",pid=1")), listeners);
        assertEquals("", container.ok("ss -Htan 'sport >= :9201 and sport <= :9203'"), "the program bound no socket of its own");
    }

    /** The same for a template: each instance's socket units pass their names to that instance's service. */
    @Test
    void aTemplateWithNamedSocketsServesEachInstanceByName() throws Exception {
        unit("tpl@ --listen a=127.0.0.1:83%i b=127.0.0.1:84%i --map a=127.0.0.1:94%i --map b=127.0.0.1:93%i"
                + " --write /etc/systemd/system -- " + Container.PYTHON + " " + BIND_EACH + " 127.0.0.1 93%i 94%i");
        verify("tpl-a@21.socket", "tpl-b@21.socket", "tpl@21.service");
        container.ok("systemctl start tpl-a@21.socket tpl-b@21.socket tpl-a@22.socket tpl-b@22.socket");
        assertEquals(List.of("port 9421", "port 9321", "port 9422", "port 9322"), firstLines(8321, 8421, 8322, 8422),
                container.journal("tpl@21.service") + "\n" + container.journal("tpl@22.service"));
        assertEquals("active", container.state("tpl@21.service"));
        assertEquals("active", container.state("tpl@22.service"));
    }

    /**
     * issue 24.5: the unit's ExecReload= needs no /bin/kill (procps, which minimal systems lack
     * and the .deb does not depend on): systemd-analyze verify passes and systemctl reload
     * reaches the program without it.
     */
    @Test
    void reloadWorksWithoutProcps() throws Exception {
        // Port 8110: the split test's program keeps 8107 bound (a socket that never listens).
        String program = "import http.server, signal; signal.signal(signal.SIGHUP, lambda *a: print('reloaded', flush=True));"
                + " http.server.ThreadingHTTPServer(('127.0.0.1', 8110), http.server.SimpleHTTPRequestHandler).serve_forever()";
        // Merged /usr: /bin/kill is /usr/bin/kill; either way, each is renamed where it is and back.
        container.ok("for k in /usr/bin/kill /bin/kill; do if [ -e $k ]; then mv $k $k.away; fi; done");
        try {
            assertEquals(1, container.sh("command -v /bin/kill /usr/bin/kill").exitCode(), "no kill binary left");
            // Hardened too: the shell and its kill run under the same sandbox.
            unit("hup --listen 127.0.0.1:8110 --harden --write /etc/systemd/system -- " + Container.PYTHON + " -c \"" + program + "\"");
            verify("hup.socket", "hup.service");
            Container.Result start = container.sh("systemctl start hup.socket");
            assertEquals(0, start.exitCode(), start + "\n" + container.journal("hup.socket"));
            Container.Http response = container.get("http://127.0.0.1:8110/");
            assertEquals(200, response.status(), response + "\n" + container.journal("hup.service"));
            Container.Result reload = container.sh("systemctl reload hup.service");
            assertEquals(0, reload.exitCode(), reload + "\n" + container.journal("hup.service"));
            container.awaitMessage("hup.service", "reloaded");
            assertEquals("active", container.state("hup.service"));
        } finally {
            container.ok("for k in /usr/bin/kill /bin/kill; do if [ -e $k.away ]; then mv $k.away $k; fi; done");
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
        // One socket unit per socket, so that each keeps its name (and its BindIPv6Only=).
        List<String> sockets = List.of("split-tcp4-8106.socket", "split-tcp6-8106.socket", "split-udp4-8106.socket",
                "split-udp6-8106.socket", "split-unix.socket");
        assertEquals(String.join("\n", sockets), container.ok("cd /etc/systemd/system && ls split*.socket").strip());
        assertEquals("""
                [Unit]
                Description=split socket tcp6-8106 (passed to the program by bandaid)

                [Socket]
                ListenStream=[::]:8106
                FileDescriptorName=tcp6-8106
                BindIPv6Only=ipv6-only
                # bandaid hands over listening sockets, not connections.
                Accept=no
                # Its sockets go to the one service, under this unit's name.
                Service=split.service

                [Install]
                WantedBy=sockets.target
                """, container.ok("cat /etc/systemd/system/split-tcp6-8106.socket"));
        String service = container.ok("cat /etc/systemd/system/split.service");
        assertTrue(service.contains("\nExecStart=" + Container.BANDAID + " -- " + SPLIT + " 8106 split.sock\n")
                && service.contains("\nWorkingDirectory=/run\n") && service.contains("\nRequires=" + String.join(" ", sockets) + "\n"), service);
        List<String> files = new ArrayList<>(sockets);
        files.add("split.service");
        verify(files.toArray(String[]::new));

        container.ok("systemctl start " + String.join(" ", sockets));
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
        // The learned names reach the program, one per socket.
        String names = container.ok("tr '\\0' '\\n' < /proc/" + container.property("split.service", "MainPID")
                + "/environ | sed -n 's/^LISTEN_FDNAMES=//p'").strip();
        assertEquals(Set.of("tcp4-8106", "tcp6-8106", "udp4-8106", "udp6-8106", "unix"), Set.of(names.split(":")), names);
        // Every one of those is systemd's socket: the program bound none of its own on 8106.
        String listeners = container.ok("ss -Hlnp 'sport = :8106'");
        assertEquals(4, listeners.lines().count(), listeners);
        assertTrue(listeners.lines().allMatch(l -> l.contains("\"systemd\",pid=1")), listeners);
    }
}
