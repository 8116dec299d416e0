package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkout whose JDK came from JAVA_HOME keeps working where systemd starts it: units and
 * systemd-socket-activate pass no JAVA_HOME, and there is no other JDK >= 22 to find (PATH has
 * none, BANDAID_JVM_ROOT stands in for an empty /usr/lib/jvm). The launcher remembers the JDK it
 * ran on outside a unit, however it found it; inside a unit that JDK comes before a JAVA_HOME the
 * unit set for its Java program. (issue 24, item 2)
 */
class RememberedJdkIT {
    private static final String JDK = System.getProperty("java.home");
    /** A PATH with bash and coreutils, and at most an older java. */
    private static final String PATH = "/usr/bin:/bin";

    /** A checkout with its jar built (copied), never run yet. */
    private static Path checkout(Path dir) throws Exception {
        Files.createDirectories(dir.resolve("scripts/lib"));
        Files.createDirectories(dir.resolve("target"));
        for (String name : List.of("scripts/bandaid", "scripts/lib/java.sh", "scripts/lib/launch.sh", "target/bandaid.jar")) {
            Files.copy(Bandaid.ROOT.resolve(name), dir.resolve(name));
        }
        dir.resolve("scripts/bandaid").toFile().setExecutable(true);
        return dir.resolve("scripts/bandaid");
    }

    @Test
    void aJdkFoundThroughJavaHomeServesUnderSystemdSocketActivate(@TempDir Path dir) throws Exception {
        Path launcher = checkout(dir);
        // First use from a shell, with JAVA_HOME (as on Debian 12 with an unpacked JDK).
        Bandaid.Run first = Bandaid.shell("exec " + launcher + " --version",
                Map.of("JAVA_HOME", JDK, "PATH", PATH, "BANDAID_JVM_ROOT", "/nonexistent"));
        assertEquals(0, first.exitCode(), first.stderr());

        // systemd-socket-activate passes PATH and what --setenv says: no JAVA_HOME.
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.startCommand(List.of("-l", "127.0.0.1:" + port),
                List.of(launcher.toString(), "--", Bandaid.PYTHON, "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1"),
                Map.of("PATH", PATH, "BANDAID_JVM_ROOT", "/nonexistent"))) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                    .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), a.log());
        }
    }

    /**
     * Inside a unit (INVOCATION_ID), a JAVA_HOME the unit sets for its Java program does not
     * choose bandaid's JVM: here a "JDK 23" whose java fails. Outside a unit JAVA_HOME still comes
     * first, as README says.
     */
    @Test
    void aUnitsJavaHomeForItsProgramDoesNotChooseBandaidsJdk(@TempDir Path dir) throws Exception {
        Path launcher = checkout(dir.resolve("checkout"));
        Bandaid.Run first = Bandaid.shell("exec " + launcher + " --version", Map.of("JAVA_HOME", JDK, "PATH", PATH));
        assertEquals(0, first.exitCode(), first.stderr());

        Path other = Files.createDirectories(dir.resolve("other-jdk/bin"));
        Files.writeString(other.getParent().resolve("release"), "JAVA_VERSION=\"23.0.1\"\n");
        Path java = Files.writeString(other.resolve("java"), "#!/bin/sh\necho 'the program'\\''s JDK ran bandaid' >&2\nexit 3\n");
        java.toFile().setExecutable(true);
        String program = Bandaid.PYTHON + " -c 'import os; print(os.environ[\"JAVA_HOME\"])'";
        Bandaid.Run inUnit = Bandaid.shell("exec " + launcher + " -- " + program,
                Map.of("JAVA_HOME", other.getParent().toString(), "INVOCATION_ID", "0123456789abcdef", "PATH", PATH));
        assertEquals(0, inUnit.exitCode(), inUnit.stderr());
        assertEquals(other.getParent().toString(), inUnit.stdout().strip(), "the program's JAVA_HOME");

        Bandaid.Run inShell = Bandaid.shell("exec " + launcher + " -- " + program, Map.of("JAVA_HOME", other.getParent().toString(), "PATH", PATH));
        assertEquals(3, inShell.exitCode(), inShell.stderr());
    }
}
