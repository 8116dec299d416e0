package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.ExitCode;
import bandaid.service.Environment;
import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterDescription;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Options as systemd's tools take them (getopt_long, parse_boolean): a boolean takes
 * {@code =yes|no|true|false|on|off|1|0}, the last of a repeated option wins (a repeatable one
 * adds up), {@code --help} anywhere among the options prints and exits 0, and a bad option or
 * value is one line in getopt's or systemd's words with exit 64: never the option library's own.
 * The main command, {@code inspect} and {@code unit} read their options alike.
 */
class SystemdStyleOptionsTest {
    private record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + ", stdout: " + out + ", stderr: " + err;
        }
    }

    private static Run run(String... args) {
        Map<String, String> env = Map.of("PATH", "/usr/bin:/bin",
                "BANDAID_LAUNCHER", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Main.run(Environment.of(env), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), args);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The ExecStart= line bandaid unit writes for bandaid's options {@code options}: what they came to. */
    private static String execStart(String... options) {
        List<String> args = new ArrayList<>(List.of("unit", "web", "--listen", "8080"));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "/bin/true"));
        Run r = run(args.toArray(String[]::new));
        assertEquals(0, r.status(), args + ": " + r);
        return r.out().lines().filter(l -> l.startsWith("ExecStart=")).findFirst().orElseThrow()
                .replaceFirst("^ExecStart=\\S+", "").replaceFirst("-- /bin/true$", "").strip();
    }

    @Test
    void aBooleanTakesWhatSystemdsParseBooleanTakes() {
        for (String yes : List.of("yes", "YES", "y", "true", "t", "on", "1")) {
            assertEquals("-v --strict", execStart("--verbose=" + yes, "--strict=" + yes), yes);
        }
        for (String no : List.of("no", "n", "false", "F", "off", "0")) {
            assertEquals("", execStart("--verbose", "--verbose=" + no, "--strict=" + no), no);
        }
        Run main = run("--verbose=yes", "--strict=on", "--version");
        assertEquals(0, main.status(), main.toString());
        assertTrue(main.out().startsWith("bandaid "), main.toString());
        Run unit = run("unit", "web", "--listen", "8080", "--harden=no", "--private-network=yes", "--", "/bin/true");
        assertEquals(0, unit.status(), unit.toString());
        assertTrue(unit.out().contains("\nPrivateNetwork=yes\n") && !unit.out().contains("DynamicUser="), unit.out());
    }

    @Test
    void theLastOfARepeatedOptionWinsAndARepeatableOneAddsUp() {
        assertEquals("--match=socket", execStart("--match=address", "--match", "socket"));
        assertEquals("-v", execStart("-v", "-v", "--verbose"));
        assertEquals("--exit-idle-time=1min", execStart("--exit-idle-time=5s", "--exit-idle-time=1min"));
        assertEquals("--map=tcp-8080=*:80 --map=tcp-8080=*:81", execStart("--map=tcp-8080=*:80", "--map", "tcp-8080=*:81"));
        Run main = run("--match=socket", "--match=address", "-v", "-v", "--version");
        assertEquals(0, main.status(), main.toString());
        Run twice = run("unit", "web", "--listen", "8080", "--user", "root", "--user=nobody", "--", "/bin/true");
        assertEquals(0, twice.status(), twice.toString());
        assertTrue(twice.out().contains("\nUser=nobody\n") && !twice.out().contains("User=root"), twice.out());
    }

    @Test
    void aValueIsKeptWholeWhateverItHolds() {
        // A comma is part of a unix path, not a list separator.
        Run comma = run("--map=web=/run/a,b.sock", "--match=socket", "--", "/nonexistent/never-run");
        assertEquals(ExitCode.USAGE.code(), comma.status(), comma.toString());
        assertEquals("bandaid: --map needs --match=address: socket() carries no address to map\n", comma.err());
        Run unit = run("unit", "web", "--listen", "app=/run/a,b.sock", "@x", "--map", "app=/srv/x,y.sock", "--", "/bin/true");
        assertEquals(0, unit.status(), unit.toString());
        assertTrue(unit.out().contains("\nListenStream=/run/a,b.sock\n") && unit.out().contains("--map=app=/srv/x,y.sock "), unit.out());
    }

    @Test
    void helpAnywhereAmongTheOptionsPrintsAndExitsZero() {
        for (String[] args : List.of(new String[] {"--help"}, new String[] {"-v", "--match=socket", "-h"}, new String[] {"inspect", "--help"},
                new String[] {"inspect", "-h"}, new String[] {"unit", "--help"}, new String[] {"unit", "web", "--listen", "80", "-h", "--", "x"},
                new String[] {"unit", "-h"}, new String[] {"broker", "--help"}, new String[] {"broker", "--units", "-h"})) {
            Run r = run(args);
            assertEquals(0, r.status(), List.of(args) + ": " + r);
            assertTrue(r.out().startsWith("Usage: bandaid"), List.of(args) + ": " + r);
            assertEquals("", r.err(), List.of(args) + ": " + r);
        }
        assertTrue(run("inspect", "--help").out().contains("bandaid inspect"), run("inspect", "--help").out());
    }

    @Test
    void badOptionsAndValuesAreOneLineInGetoptsOrSystemdsWords() {
        Map<List<String>, String> said = Map.ofEntries(
                Map.entry(List.of("--frob", "--", "x"), "bandaid: unrecognized option '--frob'"),
                Map.entry(List.of("--frob=1", "--", "x"), "bandaid: unrecognized option '--frob=1'"),
                Map.entry(List.of("-q", "x"), "bandaid: unrecognized option '-q'"),
                Map.entry(List.of("--help=foo"), "bandaid: option '--help' doesn't allow an argument"),
                Map.entry(List.of("--version=1"), "bandaid: option '--version' doesn't allow an argument"),
                Map.entry(List.of("--verbose=maybe", "--", "x"), "bandaid: failed to parse boolean argument to --verbose: maybe"),
                Map.entry(List.of("--strict=", "--", "x"), "bandaid: failed to parse boolean argument to --strict: "),
                Map.entry(List.of("--map"), "bandaid: option '--map' requires an argument"),
                Map.entry(List.of("--match", "--", "x"), "bandaid: option '--match' requires an argument"),
                Map.entry(List.of("inspect", "--frob"), "bandaid: unrecognized option '--frob'"),
                Map.entry(List.of("inspect", "--"), "bandaid: inspect -- needs a program"),
                Map.entry(List.of("unit", "web", "--listen", "80", "--harden=maybe", "--", "x"),
                        "bandaid: failed to parse boolean argument to --harden: maybe"),
                Map.entry(List.of("unit", "web", "--listen", "80", "--user"), "bandaid: option '--user' requires an argument"),
                Map.entry(List.of("unit", "web", "--frob", "--", "x"), "bandaid: unrecognized option '--frob'"),
                Map.entry(List.of("broker", "--frob"), "bandaid: unrecognized option '--frob'"),
                Map.entry(List.of("broker", "--listen"), "bandaid: option '--listen' requires an argument"),
                Map.entry(List.of("broker", "--units=maybe"), "bandaid: failed to parse boolean argument to --units: maybe"),
                Map.entry(List.of("--broker", "--no-broker", "--", "x"), "bandaid: --broker and --no-broker contradict each other"));
        for (Map.Entry<List<String>, String> e : said.entrySet()) {
            Run r = run(e.getKey().toArray(String[]::new));
            assertEquals(ExitCode.USAGE.code(), r.status(), e.getKey() + ": " + r);
            assertEquals(1, r.err().lines().count(), e.getKey() + ": " + r);
            assertTrue(r.err().startsWith(e.getValue()), e.getKey() + ": expected " + e.getValue() + "..., got " + r.err());
            assertEquals("", r.out(), e.getKey() + ": " + r);
        }
    }

    /** Every boolean of every command is declared so that CommandLine can hand it over as given (arity 1). */
    @Test
    void everyBooleanOfEveryCommandTakesYesAndNo() throws Exception {
        for (Class<?> type : List.of(Options.class, UnitOptions.class, Options.Inspect.class)) {
            JCommander jc = JCommander.newBuilder().addObject(type.getDeclaredConstructor().newInstance()).build();
            jc.parse();
            for (ParameterDescription p : jc.getParameters()) {
                Class<?> field = p.getParameterized().getType();
                if (p.isHelp() || field != boolean.class) {
                    continue;
                }
                for (String name : p.getParameter().names()) {
                    if (!name.startsWith("--")) {
                        continue; // getopt: a short option takes no =VALUE
                    }
                    for (boolean value : new boolean[] {true, false}) {
                        Object options = type.getDeclaredConstructor().newInstance();
                        CommandLine.parse(options, List.of(name, name + "=" + (value ? "yes" : "no")), CommandLine.Ends.AT_SEPARATOR);
                        Object holder = type.isInstance(p.getObject()) ? options : delegate(options);
                        assertEquals(value, p.getParameterized().get(holder), type.getSimpleName() + " " + name);
                    }
                }
            }
        }
    }

    private static Object delegate(Object options) throws ReflectiveOperationException {
        return options.getClass().getDeclaredField("program").get(options);
    }

    /** getopt's optional_argument: --broker alone is the default socket, --broker=PATH another, and in --broker PATH, PATH is the program. */
    @Test
    void brokerTakesItsPathOnlyAfterAnEqualsSign() throws Exception {
        Options alone = new Options();
        CommandLine line = CommandLine.parse(alone, List.of("--broker", "/srv/prog"), CommandLine.Ends.AT_FIRST_OPERAND);
        assertEquals(bandaid.broker.Handover.DEFAULT_SOCKET.toString(), alone.broker);
        assertEquals(1, line.rest(), "/srv/prog is the program");
        Options given = new Options();
        CommandLine.parse(given, List.of("--broker=/run/other.sock", "--", "x"), CommandLine.Ends.AT_FIRST_OPERAND);
        assertEquals("/run/other.sock", given.broker);
    }

    @Test
    void bandaidsOwnOptionsBeforeACommandAreRefusedNotDropped() {
        for (String[] args : List.of(new String[] {"-v", "inspect"}, new String[] {"--strict", "unit", "web", "--listen", "80", "--", "/bin/true"})) {
            Run r = run(args);
            assertEquals(ExitCode.USAGE.code(), r.status(), List.of(args) + ": " + r);
            assertEquals(1, r.err().lines().count(), r.toString());
        }
    }
}
