package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/bandaid in a checkout whose jar is not built: inside a unit it never builds (the first
 * activation would wait a build out and fill the journal), it says so in one line and how to
 * build; without Maven, one line too. (issue 16: first use.) The build itself is what the rest of
 * the suite and .ci/run do.
 */
class FirstUseIT {

    @BeforeAll
    static void wrapperModeOnly() {
        Bandaid.assumeWrapperMode("the launcher's first use is over before bandaid picks a mode");
    }

    /** A checkout of the launcher scripts only: no target/, so no jar. */
    private static Path checkout(Path dir) throws Exception {
        Path scripts = Files.createDirectories(dir.resolve("scripts/lib"));
        for (String name : List.of("scripts/bandaid", "scripts/lib/java.sh", "scripts/lib/launch.sh")) {
            Files.copy(Bandaid.ROOT.resolve(name), dir.resolve(name));
        }
        dir.resolve("scripts/bandaid").toFile().setExecutable(true);
        return scripts.getParent().resolve("bandaid");
    }

    @Test
    void neverBuildsInsideAUnit(@TempDir Path dir) throws Exception {
        Path launcher = checkout(dir);
        Bandaid.Run run = Bandaid.shell("exec " + launcher + " -- true", Map.of("INVOCATION_ID", "0123456789abcdef"));
        assertEquals(69, run.exitCode(), run.stderr());
        assertEquals(List.of("bandaid: " + dir.resolve("target/bandaid.jar") + " is not built: build it once before a unit runs it"
                + " (run " + dir + "/scripts/bandaid --version from a shell)"), run.stderr().lines().toList());
        assertFalse(Files.exists(dir.resolve("target")), "nothing was built");
    }

    @Test
    void saysWhatIsMissingWithoutMaven(@TempDir Path dir) throws Exception {
        Path launcher = checkout(dir);
        // A PATH with bash and coreutils but no mvn; JAVA_HOME still finds the JDK.
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String tool : List.of("bash", "env", "readlink")) {
            Files.createSymbolicLink(bin.resolve(tool), Path.of("/usr/bin", tool));
        }
        Bandaid.Run run = Bandaid.shell("exec " + launcher + " -- true", Map.of("PATH", bin.toString(),
                "JAVA_HOME", System.getProperty("java.home")));
        assertEquals(69, run.exitCode(), run.stderr());
        assertEquals(List.of("bandaid: " + dir.resolve("target/bandaid.jar") + " is not built and Maven (mvn) is not installed to"
                + " build it: apt-get install maven"), run.stderr().lines().toList());
    }
}
