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
