package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bandaid unit} never lets a value write a directive of its own into the units: a newline in
 * a program argument, {@code --user} or {@code --listen} is refused (USAGE) or escaped per
 * systemd.syntax(7), and {@code %} is doubled wherever systemd expands specifiers. Units written
 * pass {@code systemd-analyze verify}. (issue 12, item 17)
 */
class UnitEscapingIT {

    @BeforeAll
    static void wrapperModeOnly() {
        Bandaid.assumeWrapperMode("bandaid unit writes units and hands nothing over");
    }
    /** A directive a value tries to add, as bash's $'...' (a newline, then the directive). */
    private static final String INJECTED = "$'\\nExecStartPre=/bin/touch /tmp/bandaid-unit-injected'";

    /** Runs {@code bandaid unit web ARGS} writing into DIR. */
    private static Bandaid.Run unit(Path dir, String listen, String options, String program) throws Exception {
        return Bandaid.shell("exec \"$BANDAID\" unit web --listen " + listen + " " + options + " --write " + dir + " -- " + program);
    }

    private static List<String> written(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"program", "user", "listen"})
    void aNewlineNeverAddsADirective(String where, @TempDir Path dir) throws Exception {
        Bandaid.Run run = switch (where) {
            case "program" -> unit(dir, "127.0.0.1:8080", "", "/bin/echo x" + INJECTED);
            case "user" -> unit(dir, "127.0.0.1:8080", "--user nobody" + INJECTED, "/bin/echo x");
            default -> unit(dir, "/run/bandaid-test.sock" + INJECTED, "", "/bin/echo x");
        };
        if (run.exitCode() == ExitStatus.USAGE) {
            ExitStatus.assertOneLine(run, ExitStatus.USAGE);
            assertEquals(List.of(), written(dir), "refused, yet units were written");
            return;
        }
        assertEquals(0, run.exitCode(), run.stderr());
        for (String name : List.of("web.socket", "web.service")) {
            String text = Files.readString(dir.resolve(name));
            assertFalse(text.lines().anyMatch(l -> l.startsWith("ExecStartPre")), name + " gained a directive:\n" + text);
        }
        verify(dir);
    }

    @Test
    void percentSignsAreNotSpecifiers(@TempDir Path dir) throws Exception {
        Bandaid.Run run = unit(dir, "127.0.0.1:8080", "--user nobody", "/bin/echo 100% %n");
        assertEquals(0, run.exitCode(), run.stderr());
        String service = Files.readString(dir.resolve("web.service"));
        assertTrue(service.lines().anyMatch(l -> l.startsWith("ExecStart=") && l.endsWith(" /bin/echo 100%% %%n")), service);
        verify(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"user", "listen"})
    void percentSignsInOptionsAreDoubledOrRefused(String where, @TempDir Path dir) throws Exception {
        Bandaid.Run run = where.equals("user") ? unit(dir, "127.0.0.1:8080", "--user a%nb", "/bin/echo x")
                : unit(dir, "/run/a%n.sock", "", "/bin/echo x");
        if (run.exitCode() == ExitStatus.USAGE) {
            ExitStatus.assertOneLine(run, ExitStatus.USAGE);
            assertEquals(List.of(), written(dir), "refused, yet units were written");
            return;
        }
        assertEquals(0, run.exitCode(), run.stderr());
        String expected = where.equals("user") ? "User=a%%nb" : "ListenStream=/run/a%%n.sock";
        String unit = Files.readString(dir.resolve(where.equals("user") ? "web.service" : "web.socket"));
        assertTrue(unit.lines().anyMatch(expected::equals), "no " + expected + " line:\n" + unit);
    }

    /**
     * systemd-analyze verify (works without systemd as PID 1) accepts the pair: no line it ignored,
     * no unbalanced quoting. Only its warning about the user "nobody" is expected.
     */
    private static void verify(Path dir) throws Exception {
        Process verify = new ProcessBuilder("systemd-analyze", "verify", dir.resolve("web.socket").toString(), dir.resolve("web.service").toString())
                .redirectErrorStream(true).start();
        String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(verify.waitFor(30, TimeUnit.SECONDS));
        List<String> complaints = output.lines().filter(l -> !l.contains("Special user nobody configured")).toList();
        assertEquals(List.of(), complaints, "systemd-analyze verify:\n" + output);
        assertEquals(0, verify.exitValue(), output);
    }
}
