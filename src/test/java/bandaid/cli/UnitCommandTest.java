package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.service.Environment;
import bandaid.socket.SocketType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bandaid unit in-process: what it writes, how it escapes what the user gave, and what it refuses. */
class UnitCommandTest {
    private static final String LAUNCHER = "/opt/bandaid/scripts/bandaid";

    @TempDir
    Path dir;

    private static String service(UnitRequest r, String... command) throws BandaidException {
        return UnitFiles.service(r, UnitFiles.socketUnits(r), Stream.of(command).map(w -> w.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** The one socket unit {@code r} makes. */
    private static String socket(UnitRequest r) throws BandaidException {
        List<UnitFiles.SocketUnit> units = UnitFiles.socketUnits(r);
        assertEquals(1, units.size(), units.toString());
        return UnitFiles.socket(r, units.getFirst());
    }

    /** Every socket unit {@code r} makes, file name to text. */
    private static Map<String, String> sockets(UnitRequest r) throws BandaidException {
        Map<String, String> files = new LinkedHashMap<>();
        for (UnitFiles.SocketUnit unit : UnitFiles.socketUnits(r)) {
            files.put(unit.file(), UnitFiles.socket(r, unit));
        }
        return files;
    }

    @Test
    void oneSocketGoesIntoNameDotSocket() throws BandaidException {
        UnitRequest r = UnitCommand.parse("web", "--listen", "127.0.0.1:8080", "--user", "nobody", "--", "python3", "-m", "http.server", "8080");
        assertEquals("""
                [Unit]
                Description=web sockets (passed to the program by bandaid)

                [Socket]
                ListenStream=127.0.0.1:8080
                # bandaid hands over listening sockets, not connections.
                Accept=no

                [Install]
                WantedBy=sockets.target
                """, socket(r));
        assertEquals("""
                [Unit]
                Description=web (socket-activated through bandaid)
                Requires=web.socket
                After=web.socket

                [Service]
                ExecStart=/opt/bandaid/scripts/bandaid -- /usr/bin/python3 -m http.server 8080
                # bandaid passes HUP on to the program (the shell's kill: /bin/kill is procps's).
                ExecReload=/bin/sh -c "kill -HUP $$MAINPID"
                User=nobody
                # With SystemCallFilter=, allow seccomp too: bandaid installs a filter of its own.
                #SystemCallFilter=@system-service seccomp
                """, service(r, LAUNCHER, "--", "/usr/bin/python3", "-m", "http.server", "8080"));
    }

    /**
     * A socket unit passes all its sockets under one FileDescriptorName= (systemd keeps the last
     * line's), so each name gets a socket unit of its own, which starts the one service.
     */
    @Test
    void severalSocketsGetASocketUnitPerNameEachStartingTheService() throws BandaidException {
        UnitRequest r = UnitCommand.parse("web", "--listen", "127.0.0.1:8080", "--listen", "udp:[::1]:53", "--listen", "*:80",
                "--", "python3", "-m", "http.server", "8080");
        Map<String, String> sockets = sockets(r);
        assertEquals(List.of("web-tcp-8080.socket", "web-udp-53.socket", "web-tcp-80.socket"), List.copyOf(sockets.keySet()));
        assertEquals("""
                [Unit]
                Description=web socket udp-53 (passed to the program by bandaid)

                [Socket]
                ListenDatagram=[::1]:53
                FileDescriptorName=udp-53
                # bandaid hands over listening sockets, not connections.
                Accept=no
                # Its sockets go to the one service, under this unit's name.
                Service=web.service

                [Install]
                WantedBy=sockets.target
                """, sockets.get("web-udp-53.socket"));
        assertTrue(sockets.get("web-tcp-80.socket").contains("\nListenStream=80\nFileDescriptorName=tcp-80\n"), sockets.toString());
        String service = service(r, LAUNCHER, "--", "/usr/bin/python3", "-m", "http.server", "8080");
        assertTrue(service.contains("\nRequires=web-tcp-8080.socket web-udp-53.socket web-tcp-80.socket\n"
                + "After=web-tcp-8080.socket web-udp-53.socket web-tcp-80.socket\n"), service);
    }

    @Test
    void socketsOfOneNameShareASocketUnit() throws BandaidException {
        UnitRequest r = UnitCommand.parse("web", "--listen", "http=0.0.0.0:80", "http=[::]:80", "admin=127.0.0.1:9000", "--", "true");
        Map<String, String> sockets = sockets(r);
        assertEquals(List.of("web-http.socket", "web-admin.socket"), List.copyOf(sockets.keySet()));
        assertTrue(sockets.get("web-http.socket").contains("\nListenStream=0.0.0.0:80\nListenStream=[::]:80\nFileDescriptorName=http\n"),
                sockets.toString());
        assertTrue(socket(UnitCommand.parse("web", "--listen", "http=0.0.0.0:80", "http=[::]:80", "--", "true"))
                .contains("\nListenStream=[::]:80\nFileDescriptorName=http\n# bandaid hands over"), "one name: web.socket");
    }

    @Test
    void aLearnedSocketUnitSaysBindIPv6OnlyAsTheProgramSetIt() throws BandaidException {
        UnitRequest r = UnitCommand.parse("dns", "--learn", "--", "true").withLearned(List.of(
                new UnitFiles.Listen(Optional.empty(), SocketType.DGRAM, "0.0.0.0:53", Optional.empty()),
                new UnitFiles.Listen(Optional.empty(), SocketType.DGRAM, "[::]:53", Optional.of(true)),
                new UnitFiles.Listen(Optional.empty(), SocketType.STREAM, "[::]:53", Optional.of(false))), "/");
        Map<String, String> sockets = sockets(r);
        assertEquals(List.of("dns-udp4-53.socket", "dns-udp6-53.socket", "dns-tcp-53.socket"), List.copyOf(sockets.keySet()));
        assertFalse(sockets.get("dns-udp4-53.socket").contains("BindIPv6Only"), sockets.toString());
        assertTrue(sockets.get("dns-udp6-53.socket").contains("\nFileDescriptorName=udp6-53\nBindIPv6Only=ipv6-only\n"), sockets.toString());
        assertTrue(sockets.get("dns-tcp-53.socket").contains("\nFileDescriptorName=tcp-53\nBindIPv6Only=both\n"), sockets.toString());
    }

    @Test
    void aTemplatesSocketUnitsAreTemplatesThatStartTheServiceOfTheirInstance() throws BandaidException {
        UnitRequest r = UnitCommand.parse("web@", "--listen", "127.0.0.1:80%i", "admin=127.0.0.1:90%i", "--", "true");
        Map<String, String> sockets = sockets(r);
        assertEquals(List.of("web-tcp-80@.socket", "web-admin@.socket"), List.copyOf(sockets.keySet()));
        assertTrue(sockets.get("web-tcp-80@.socket").contains("\nFileDescriptorName=tcp-80%i\n"), sockets.toString());
        assertTrue(sockets.get("web-admin@.socket").contains("\nService=web@%i.service\n"), sockets.toString());
        String service = service(r, LAUNCHER, "--", "/bin/true");
        assertTrue(service.contains("\nRequires=web-tcp-80@%i.socket web-admin@%i.socket\n"), service);
    }

    @Test
    void oneSocketKeepsItsDefaultNameUnlessNamedOrMapped() throws BandaidException {
        assertFalse(socket(UnitCommand.parse("web", "--listen", "8080", "--", "true")).contains("FileDescriptorName="));
        assertTrue(socket(UnitCommand.parse("web", "--listen", "http=8080", "--", "true")).contains("\nFileDescriptorName=http\n"));
        assertTrue(socket(UnitCommand.parse("web", "--listen", "8080", "--map", "tcp-8080=*:80", "--", "true"))
                .contains("\nListenStream=8080\nFileDescriptorName=tcp-8080\n"));
    }

    @Test
    void namesThatWouldClashSayTheFamilyOrTheirPlace() throws BandaidException {
        Map<String, String> sockets = sockets(UnitCommand.parse("dns", "--listen", "0.0.0.0:53", "[::]:53", "udp:0.0.0.0:53", "udp:[::]:53",
                "/run/a.sock", "@b", "127.0.0.1:80", "127.0.0.2:80", "--", "true"));
        List<String> names = sockets.values().stream().flatMap(String::lines).filter(l -> l.startsWith("FileDescriptorName="))
                .map(l -> l.substring(19)).toList();
        assertEquals(List.of("tcp4-53", "tcp6-53", "udp4-53", "udp6-53", "unix-5", "unix-6", "tcp4-80-7", "tcp4-80-8"), names);
    }

    @Test
    void listenTakesItsValueGluedOrAsOneOrMoreWords() throws BandaidException {
        List<String> glued = UnitCommand.parse("web", "--listen=80", "--listen", "81", "82", "--user=nobody", "--write=/tmp", "--", "true")
                .listen().stream().map(UnitFiles.Listen::address).toList();
        assertEquals(List.of("80", "81", "82"), glued);
    }

    @Test
    void aTemplateKeepsTheInstanceSpecifierAndDoublesEveryOtherPercent() throws BandaidException {
        UnitRequest r = UnitCommand.parse("web@", "--listen", "127.0.0.1:80%i", "--map", "tcp-80%i=*:8000", "--",
                "python3", "-m", "http.server", "8000", "--directory", "/srv/%i/100%");
        assertTrue(socket(r).contains("\nListenStream=127.0.0.1:80%i\nFileDescriptorName=tcp-80%i\n"), socket(r));
        String service = service(r, LAUNCHER, "--map=tcp-80%i=*:8000", "--", "/usr/bin/python3", "-m", "http.server", "8000",
                "--directory", "/srv/%i/100%");
        assertTrue(service.contains("\nRequires=web@%i.socket\nAfter=web@%i.socket\n"), service);
        assertTrue(service.contains("\nExecStart=" + LAUNCHER + " --map=tcp-80%i=*:8000 -- /usr/bin/python3 -m http.server 8000"
                + " --directory /srv/%i/100%%\n"), service);
        // Not a template: every % is a percent sign.
        assertEquals("/srv/%%i", UnitFiles.execWord("/srv/%i".getBytes(StandardCharsets.UTF_8), false));
    }

    @Test
    void aTemplatesMapMayNameTheInstanceInItsAddress() throws BandaidException {
        UnitRequest r = UnitCommand.parse("web@", "--listen", "a=127.0.0.1:83%i", "--map", "a=127.0.0.1:93%i", "--", "true");
        assertEquals(List.of("--map=a=127.0.0.1:93%i"), r.bandaid().words());
        assertEquals(ExitCode.USAGE, assertThrows(BandaidException.class,
                () -> UnitCommand.parse("web", "--listen", "a=127.0.0.1:83", "--map", "a=127.0.0.1:93%i", "--", "true")).exitCode());
    }

    @Test
    void escapesWhatSystemdWouldOtherwiseSplitExpandOrReadAsADirective() {
        assertEquals("\"hello world\"", word("hello world"));
        assertEquals("100%%", word("100%"));
        assertEquals("$$HOME", word("$HOME"));
        assertEquals("\"\"", word(""));
        assertEquals("\";\"", word(";"));
        assertEquals("\"it's\"", word("it's"));
        assertEquals("\"say \\\"hi\\\"\"", word("say \"hi\""));
        assertEquals("\"a\\\\b\"", word("a\\b"));
        assertEquals("\"x\\nUser=root\"", word("x\nUser=root"));
        assertEquals("\"\\t\\r\\x01\\x7f\"", word("\t\r\u0001\u007f"));
        assertEquals("grüße", word("grüße"));
        // Bytes that are not UTF-8 as C escapes: systemd turns \xNN back into that very byte.
        assertEquals("\"a\\xffb\\xc3\"", UnitFiles.execWord(new byte[] {'a', (byte) 0xff, 'b', (byte) 0xc3}, false));
    }

    private static String word(String w) {
        return UnitFiles.execWord(w.getBytes(StandardCharsets.UTF_8), false);
    }

    @Test
    void anArgumentWithNewLinesStaysOneWordOnOneLine() throws BandaidException {
        UnitRequest r = UnitCommand.parse("web", "--listen", "80", "--", "prog", "a\n[Service]\nUser=root\nExecStartPre=/bin/sh");
        String service = service(r, LAUNCHER, "--", "/usr/bin/prog", "a\n[Service]\nUser=root\nExecStartPre=/bin/sh");
        assertFalse(service.lines().anyMatch(l -> l.startsWith("User=") || l.startsWith("ExecStartPre=")), service);
        assertEquals(1, service.lines().filter(l -> l.equals("[Service]")).count(), service);
        assertTrue(service.contains("ExecStart=" + LAUNCHER + " -- /usr/bin/prog \"a\\n[Service]\\nUser=root\\nExecStartPre=/bin/sh\"\n"), service);
    }

    @Test
    void refusesWhatWouldInjectADirectiveIntoAValueWithoutQuoting() {
        for (List<String> bad : List.of(List.of("web", "--listen", "/run/a\nAccept=yes", "--", "true"),
                List.of("web", "--listen", "/run/a.sock\\", "--", "true"), List.of("web", "--listen", "80", "--user", "nobody\nUser=root", "--", "true"),
                List.of("web", "--listen", "80", "--user", "no body", "--", "true"), List.of("web", "--listen", "80", "--user", "%n", "--", "true"),
                List.of("web", "--listen", "80", "--", "/usr/bin/pro\ng"))) {
            int code;
            try {
                UnitRequest r = UnitCommand.parse(bad.toArray(String[]::new));
                sockets(r);
                UnitPlaces.absoluteProgram(r.program().getFirst(), "/usr/bin");
                code = 0;
            } catch (BandaidException e) {
                code = e.exitCode().code();
                assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
            }
            assertEquals(ExitCode.USAGE.code(), code, bad.toString());
        }
    }

    @Test
    void aPercentInAUnixPathStaysAPercent() throws BandaidException {
        assertTrue(socket(UnitCommand.parse("web", "--listen", "/run/100%.sock", "--", "true")).contains("\nListenStream=/run/100%%.sock\n"));
    }

    @Test
    void bandaidsOwnOptionsGoIntoExecStartCheckedAsBandaidChecksThem() throws Exception {
        Run run = run(Map.of(), "unit", "web", "--listen", "80", "-v", "--exit-idle-time", "1h 30min", "--map=tcp-80=*:8080",
                "--strict", "--", "/bin/true");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("\nExecStart=" + run.launcher() + " -v --map=tcp-80=*:8080 --strict \"--exit-idle-time=1h 30min\" -- /bin/true\n"),
                run.out());
        for (List<String> bad : List.of(List.of("--exit-idle-time=5 parsecs"), List.of("--map", "web"), List.of("--map", "nope=*:80"),
                List.of("--match=socket", "--map=tcp-80=80"), List.of("--match=bind"), List.of("--strict=maybe"), List.of("--exit-idle-time"))) {
            List<String> args = new ArrayList<>(List.of("unit", "web", "--listen", "80"));
            args.addAll(bad);
            args.addAll(List.of("--", "/bin/true"));
            Run refused = run(Map.of(), args.toArray(String[]::new));
            assertEquals(ExitCode.USAGE.code(), refused.status(), bad + ": " + refused.err());
            assertEquals(1, refused.err().lines().count(), refused.err());
        }
        // UDP is counted (datagrams read); a unix datagram socket cannot be.
        Run udpOnly = run(Map.of(), "unit", "dns", "--listen", "udp:53", "--exit-idle-time=30s", "--", "/bin/true");
        assertEquals(0, udpOnly.status(), udpOnly.err());
        Run unixDatagrams = run(Map.of(), "unit", "log", "--listen", "udp:/run/log.sock", "--exit-idle-time=30s", "--", "/bin/true");
        assertEquals(ExitCode.USAGE.code(), unixDatagrams.status(), unixDatagrams.err());
        assertEquals("bandaid: --exit-idle-time cannot tell when the unix datagram socket /run/log.sock is in use: datagrams on a"
                + " unix socket leave no trace bandaid can read; pass stream or UDP sockets only, or leave out --exit-idle-time\n",
                unixDatagrams.err());
    }

    @Test
    void aPrivateNetworkUnitMayStopWhenIdle() throws BandaidException {
        // The idle watch counts connections on the program's own sockets, in any namespace.
        UnitCommand.parse("web", "--listen", "80", "--private-network", "--exit-idle-time=1min", "--", "true");
    }

    @Test
    void refusesWhatItCannotWrite() {
        for (List<String> bad : List.<List<String>>of(List.of(), List.of("--listen", "80"), List.of("web", "--", "true"),
                List.of("web", "--listen", "localhost:80", "--", "true"), List.of("web", "--listen", "80", "--frob", "x", "--", "true"),
                List.of("we b", "--listen", "80", "--", "true"), List.of("web@1", "--listen", "80", "--", "true"),
                List.of("web", "--listen", "--", "true"), List.of("web", "--listen", "80", "--learn", "--", "true"),
                List.of("web", "--listen", "80", "--force", "--", "true"), List.of("web", "--listen", "80", "--"),
                List.of("web", "--listen", "80", "--harden=maybe", "--", "true"))) {
            assertEquals(ExitCode.USAGE, assertThrows(BandaidException.class, () -> UnitCommand.parse(bad.toArray(String[]::new))).exitCode(),
                    bad.toString());
        }
    }

    @Test
    void helpGoesToStdoutAndExitsZero() throws IOException {
        for (String[] args : List.of(new String[] {"unit", "--help"}, new String[] {"unit", "web", "--listen", "80", "-h", "--", "x"})) {
            Run run = run(Map.of(), args);
            assertEquals(0, run.status());
            assertTrue(run.out().startsWith("Usage: bandaid unit NAME"), run.out());
            assertEquals("", run.err());
        }
    }

    @Test
    void hardenWritesTheSandboxInsteadOfTheHint() throws BandaidException {
        String service = service(UnitCommand.parse("web", "--listen", "80", "--harden", "--private-network", "--", "true"), LAUNCHER, "--", "/bin/true");
        assertTrue(service.contains(UnitFiles.HARDENING), service);
        assertTrue(service.contains("\nPrivateNetwork=yes\n"), service);
        assertFalse(service.contains("#SystemCallFilter"), service);
    }

    @Test
    void writesFilesOnceAndReplacesThemOnlyWithForce() throws Exception {
        String[] args = {"unit", "web", "--listen", "80", "--write", dir.toString(), "--", "/bin/true"};
        Run first = run(Map.of(), args);
        assertEquals(0, first.status(), first.err());
        assertTrue(Files.readString(dir.resolve("web.service")).contains("ExecStart="));
        Files.writeString(dir.resolve("web.socket"), "mine\n");
        Run again = run(Map.of(), args);
        assertEquals(ExitCode.CANTCREAT.code(), again.status(), again.err());
        assertEquals("bandaid: " + dir.resolve("web.socket") + " exists: --force replaces it\n", again.err());
        assertEquals("mine\n", Files.readString(dir.resolve("web.socket")));
        List<String> forced = new ArrayList<>(List.of(args));
        forced.add(2, "--force");
        assertEquals(0, run(Map.of(), forced.toArray(String[]::new)).status());
        assertTrue(Files.readString(dir.resolve("web.socket")).contains("ListenStream=80"));

        Run missing = run(Map.of(), "unit", "web", "--listen", "80", "--write", dir.resolve("nowhere").toString(), "--", "/bin/true");
        assertEquals(ExitCode.CANTCREAT.code(), missing.status(), "an I/O error is not a usage error: " + missing.err());
    }

    @Test
    void neverPointsAUnitAtALauncherThatWouldBuildInsideIt() throws Exception {
        Path scripts = Files.createDirectories(dir.resolve("checkout/scripts"));
        Path launcher = Files.createFile(scripts.resolve("bandaid"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Run unbuilt = run(Map.of("BANDAID_LAUNCHER", launcher.toString()), "unit", "web", "--listen", "80", "--", "/bin/true");
        assertEquals(ExitCode.UNAVAILABLE.code(), unbuilt.status(), unbuilt.err());
        assertTrue(unbuilt.err().contains("build it first (cd " + dir.resolve("checkout") + " && mvn -q -DskipTests package)"), unbuilt.err());
        Files.createDirectories(dir.resolve("checkout/target"));
        Files.createFile(dir.resolve("checkout/target/bandaid.jar"));
        assertEquals(0, run(Map.of("BANDAID_LAUNCHER", launcher.toString()), "unit", "web", "--listen", "80", "--", "/bin/true").status());
    }

    private record Run(int status, String out, String err, String launcher) {
    }

    /** Main.run with a launcher that exists (this very JVM's java stands in for it) unless {@code env} names one. */
    private static Run run(Map<String, String> env, String... args) {
        Map<String, String> variables = new HashMap<>(env);
        variables.putIfAbsent("BANDAID_LAUNCHER", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        variables.put("PATH", "/usr/bin:/bin");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(Environment.of(variables), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), variables.get("BANDAID_LAUNCHER"));
    }
}
