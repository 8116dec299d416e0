package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.service.Environment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bandaid unit in-process: what it writes, how it escapes what the user gave, and what it refuses. */
class UnitCommandTest {
    private static final String LAUNCHER = "/opt/bandaid/scripts/bandaid";

    @TempDir
    Path dir;

    private static String service(UnitCommand.Request r, String... command) throws BandaidException {
        return UnitFiles.service(r, Stream.of(command).map(w -> w.getBytes(StandardCharsets.UTF_8)).toList());
    }

    @Test
    void writesASocketAndServicePairWithANamePerSocket() throws BandaidException {
        UnitCommand.Request r = UnitCommand.parse("web", "--listen", "127.0.0.1:8080", "--listen", "udp:[::1]:53", "--listen", "*:80",
                "--user", "nobody", "--", "python3", "-m", "http.server", "8080");
        assertEquals("""
                [Unit]
                Description=web sockets (passed to the program by bandaid)

                [Socket]
                ListenStream=127.0.0.1:8080
                FileDescriptorName=tcp-8080
                ListenDatagram=[::1]:53
                FileDescriptorName=udp-53
                ListenStream=80
                FileDescriptorName=tcp-80
                # bandaid hands over listening sockets, not connections.
                Accept=no

                [Install]
                WantedBy=sockets.target
                """, UnitFiles.socket(r));
        assertEquals("""
                [Unit]
                Description=web (socket-activated through bandaid)
                Requires=web.socket
                After=web.socket

                [Service]
                ExecStart=/opt/bandaid/scripts/bandaid -- /usr/bin/python3 -m http.server 8080
                # bandaid passes HUP on to the program.
                ExecReload=/bin/kill -HUP $MAINPID
                User=nobody
                # With SystemCallFilter=, allow seccomp too: bandaid installs a filter of its own.
                #SystemCallFilter=@system-service seccomp
                """, service(r, LAUNCHER, "--", "/usr/bin/python3", "-m", "http.server", "8080"));
    }

    @Test
    void oneSocketKeepsItsDefaultNameUnlessNamedOrMapped() throws BandaidException {
        assertFalse(UnitFiles.socket(UnitCommand.parse("web", "--listen", "8080", "--", "true")).contains("FileDescriptorName="));
        assertTrue(UnitFiles.socket(UnitCommand.parse("web", "--listen", "http=8080", "--", "true")).contains("\nFileDescriptorName=http\n"));
        assertTrue(UnitFiles.socket(UnitCommand.parse("web", "--listen", "8080", "--map", "tcp-8080=*:80", "--", "true"))
                .contains("\nListenStream=8080\nFileDescriptorName=tcp-8080\n"));
    }

    @Test
    void namesThatWouldClashSayTheFamilyOrTheirPlace() throws BandaidException {
        String socket = UnitFiles.socket(UnitCommand.parse("dns", "--listen", "0.0.0.0:53", "[::]:53", "udp:0.0.0.0:53", "udp:[::]:53",
                "/run/a.sock", "@b", "127.0.0.1:80", "127.0.0.2:80", "--", "true"));
        List<String> names = socket.lines().filter(l -> l.startsWith("FileDescriptorName=")).map(l -> l.substring(19)).toList();
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
        UnitCommand.Request r = UnitCommand.parse("web@", "--listen", "127.0.0.1:80%i", "--map", "tcp-80%i=*:8000", "--",
                "python3", "-m", "http.server", "8000", "--directory", "/srv/%i/100%");
        assertTrue(UnitFiles.socket(r).contains("\nListenStream=127.0.0.1:80%i\nFileDescriptorName=tcp-80%i\n"), UnitFiles.socket(r));
        String service = service(r, LAUNCHER, "--map=tcp-80%i=*:8000", "--", "/usr/bin/python3", "-m", "http.server", "8000",
                "--directory", "/srv/%i/100%");
        assertTrue(service.contains("\nRequires=web@%i.socket\nAfter=web@%i.socket\n"), service);
        assertTrue(service.contains("\nExecStart=" + LAUNCHER + " --map=tcp-80%i=*:8000 -- /usr/bin/python3 -m http.server 8000"
                + " --directory /srv/%i/100%%\n"), service);
        // Not a template: every % is a percent sign.
        assertEquals("/srv/%%i", UnitFiles.execWord("/srv/%i".getBytes(StandardCharsets.UTF_8), false));
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
        UnitCommand.Request r = UnitCommand.parse("web", "--listen", "80", "--", "prog", "a\n[Service]\nUser=root\nExecStartPre=/bin/sh");
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
                UnitCommand.Request r = UnitCommand.parse(bad.toArray(String[]::new));
                UnitFiles.socket(r);
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
        assertTrue(UnitFiles.socket(UnitCommand.parse("web", "--listen", "/run/100%.sock", "--", "true")).contains("\nListenStream=/run/100%%.sock\n"));
    }

    @Test
    void bandaidsOwnOptionsGoIntoExecStartCheckedAsBandaidChecksThem() throws Exception {
        Run run = run(Map.of(), "unit", "web", "--listen", "80", "-v", "--exit-idle-time", "1h 30min", "--map=tcp-80=*:8080",
                "--strict", "--", "/bin/true");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("\nExecStart=" + run.launcher() + " -v \"--exit-idle-time=1h 30min\" --map=tcp-80=*:8080 --strict -- /bin/true\n"),
                run.out());
        for (List<String> bad : List.of(List.of("--exit-idle-time=5 parsecs"), List.of("--map", "web"), List.of("--map", "nope=*:80"),
                List.of("--match=socket", "--map=tcp-80=80"), List.of("--match=bind"), List.of("--strict=yes"), List.of("--exit-idle-time"))) {
            List<String> args = new ArrayList<>(List.of("unit", "web", "--listen", "80"));
            args.addAll(bad);
            args.addAll(List.of("--", "/bin/true"));
            Run refused = run(Map.of(), args.toArray(String[]::new));
            assertEquals(ExitCode.USAGE.code(), refused.status(), bad + ": " + refused.err());
            assertEquals(1, refused.err().lines().count(), refused.err());
        }
        Run udpOnly = run(Map.of(), "unit", "dns", "--listen", "udp:53", "--exit-idle-time=30s", "--", "/bin/true");
        assertEquals(ExitCode.USAGE.code(), udpOnly.status(), udpOnly.err());
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
                List.of("web", "--listen", "80", "--harden=yes", "--", "true"))) {
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
