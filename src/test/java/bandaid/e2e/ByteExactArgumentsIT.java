package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The program gets its arguments and environment byte for byte as bandaid got them, in any
 * locale: invalid UTF-8 stays those bytes (not U+FFFD), and é stays é with LANG unset or C (not
 * "??"). (issue 12, item 12)
 */
class ByteExactArgumentsIT {
    private static final String EXEC_ENVIRONMENT = Bandaid.ROOT.resolve("src/test/resources/exec-environment.py").toString();
    /** The arguments, as bash's $'...' (so no Java string carries them) and as the bytes they are. */
    private static final List<String> ARGS_BASH = List.of("$'\\xff'", "$'\\xc3\\xa9'", "$'a\\xfe b'", "$'caf\\xc3\\xa9\\xe9'");
    private static final List<String> ARGS_HEX = List.of("ff", "c3a9", "61fe2062", "636166c3a9e9");
    private static final String ENV_BASH = "$'\\xff\\xc3\\xa9 x'";
    private static final String ENV_HEX = "ffc3a92078";

    @ParameterizedTest
    @ValueSource(strings = {"", "LANG=C", "LANG=C.UTF-8", "LC_ALL=C"})
    void argumentsAndEnvironmentAreByteIdentical(String locale, @TempDir Path dir) throws Exception {
        Path out = dir.resolve("got");
        Bandaid.Run run = Bandaid.shell("unset LANG LANGUAGE ${!LC_@}; " + (locale.isEmpty() ? "" : "export " + locale + "; ")
                + "export BANDAID_TEST_VALUE=" + ENV_BASH + "; exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- "
                + Bandaid.PYTHON + " " + Programs.program("dump-args.py") + " " + out + " " + String.join(" ", ARGS_BASH));
        assertEquals(0, run.exitCode(), run.stderr());
        ExitStatus.assertNoStackTrace(run.stderr());

        List<byte[]> cmdline = split(Files.readAllBytes(Path.of(out + ".cmdline")));
        List<String> got = cmdline.subList(3, cmdline.size()).stream().map(b -> HexFormat.of().formatHex(b)).toList();

        byte[] prefix = "BANDAID_TEST_VALUE=".getBytes(StandardCharsets.US_ASCII);
        List<String> values = new ArrayList<>();
        for (byte[] entry : split(Files.readAllBytes(Path.of(out + ".environ")))) {
            if (entry.length >= prefix.length && java.util.Arrays.equals(entry, 0, prefix.length, prefix, 0, prefix.length)) {
                values.add(HexFormat.of().formatHex(entry, prefix.length, entry.length));
            }
        }
        // One assertion, so that a failure shows both.
        assertEquals("arguments " + ARGS_HEX + ", BANDAID_TEST_VALUE " + List.of(ENV_HEX), "arguments " + got + ", BANDAID_TEST_VALUE " + values,
                "the program's arguments after its script and OUT, and its environment, in hex");
    }

    /**
     * The environment, entry for entry, as the kernel passed it to the launcher: nothing a shell
     * would change (PWD and SHLVL added or rewritten, OLDPWD dropped when it is not a directory, a
     * function re-exported in bash's form), two entries of one name, one without "=", an empty one,
     * the JVM's own variables (carried past bandaid's JVM) and bandaid's own names. Only LISTEN_*
     * goes. (issue 23, item 8) In both modes: bandaid beside the program, and bandaid handing it to
     * a broker and becoming it.
     */
    @ParameterizedTest(name = "broker mode: {0}")
    @ValueSource(booleans = {false, true})
    void environmentReachesTheProgramEntryForEntry(boolean brokerMode, @TempDir Path dir) throws Exception {
        Bandaid.assumeItPicksTheModeItself();
        List<byte[]> given = new ArrayList<>();
        for (String entry : List.of("PATH=" + System.getenv("PATH"), "JAVA_HOME=" + System.getProperty("java.home"),
                "PWD=/nonexistent/stale", "OLDPWD=/nonexistent", "SHLVL=not a number", "_=/usr/bin/elsewhere",
                "TWICE=first", "TWICE=second", "no equals sign", "", "=an empty name", "-starts=with a dash",
                "BASH_FUNC_f%%=() {  echo  hi\n}", "JAVA_TOOL_OPTIONS=-Dfor.the.program=1", "LD_LIBRARY_PATH=/nonexistent",
                "_JAVA_SR_SIGNUM=12", "BANDAID_LAUNCHER=/given/to/the/program", "BANDAID_CARRIED_3=as given")) {
            given.add(entry.getBytes(StandardCharsets.UTF_8));
        }
        given.add(new byte[] {'B', 'Y', 'T', 'E', 'S', '=', (byte) 0xff, (byte) 0xc3, (byte) 0xa9});
        Path out = dir.resolve("got");
        List<String> command = new ArrayList<>(List.of(Programs.PASS, "tcp:127.0.0.1:0", "--", EXEC_ENVIRONMENT));
        given.forEach(entry -> command.add(HexFormat.of().formatHex(entry)));
        try (LocalBroker broker = brokerMode ? LocalBroker.start() : null) {
            command.addAll(List.of("--", Bandaid.SCRIPT, brokerMode ? broker.option() : "--no-broker", "--",
                    Bandaid.PYTHON, Programs.program("dump-args.py"), out.toString()));
            Process p = Bandaid.process(command).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), output + (brokerMode ? broker.log() : ""));
        }

        List<String> got = split(Files.readAllBytes(Path.of(out + ".environ"))).stream().map(e -> new String(e, StandardCharsets.ISO_8859_1)).toList();
        List<String> expected = given.stream().map(e -> new String(e, StandardCharsets.ISO_8859_1)).toList();
        assertEquals(String.join("\n", expected), String.join("\n", got), "the program's environment (bytes as Latin-1), one entry a line");
    }

    /** NUL-terminated strings, as /proc/PID/cmdline and environ hold them. */
    private static List<byte[]> split(byte[] bytes) {
        List<byte[]> parts = new ArrayList<>();
        ByteArrayOutputStream part = new ByteArrayOutputStream();
        for (byte b : bytes) {
            if (b == 0) {
                parts.add(part.toByteArray());
                part.reset();
            } else {
                part.write(b);
            }
        }
        return parts;
    }
}
