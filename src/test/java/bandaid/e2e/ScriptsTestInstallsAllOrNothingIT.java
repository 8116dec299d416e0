package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/test installs all the packages the tests need or none: on a machine where something
 * cannot be installed (Debian 12 has no JDK >= 22 of its own) it says so in one line before it
 * installs anything, where it used to install some thirty servers first. The package tools are
 * stand-ins here (apt-get, apt-cache and dpkg-query on PATH, answering as on such a machine and
 * writing down what they were asked): this machine's packages are shared and stay as they are.
 * The JDK search is pointed at an empty directory (scripts/lib/java.sh's BANDAID_JVM_ROOT).
 */
class ScriptsTestInstallsAllOrNothingIT {
    @TempDir
    Path dir;

    private Path stub(String name, String script) throws IOException {
        Path file = dir.resolve("bin").resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, "#!/bin/bash\necho \"" + name + " $*\" >> " + dir.resolve("calls") + "\n" + script + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** Runs scripts/test as root with the stand-ins first on PATH; returns its exit status and stderr. */
    private Command.Result runTestScript() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "scripts/test installs only as root");
        // Nothing is installed; apt knows every package but a JDK >= 22 (as Debian 12).
        stub("dpkg-query", "exit 1");
        stub("apt-get", """
                if [[ "$1" == update ]]; then exit 0; fi
                for p in "$@"; do
                  if [[ "$p" == openjdk-25-jdk-headless ]]; then echo "E: Unable to locate package $p" >&2; exit 100; fi
                done
                exit 0""");
        stub("apt-cache", """
                if [[ " $* " == *" openjdk-25-jdk-headless "* ]]; then
                  if [[ "$1" == show ]]; then echo "E: No packages found" >&2; exit 100; fi
                  echo "N: Unable to locate package openjdk-25-jdk-headless" >&2
                fi
                exit 0""");
        stub("mvn", "exit 0");
        Files.writeString(dir.resolve("calls"), "");
        Files.createDirectories(dir.resolve("jvm"));
        ProcessBuilder pb = new ProcessBuilder(Bandaid.ROOT.resolve("scripts/test").toString()).redirectOutput(dir.resolve("out").toFile())
                .redirectError(dir.resolve("err").toFile());
        Map<String, String> env = pb.environment();
        env.remove("JAVA_HOME");
        env.put("PATH", dir.resolve("bin") + ":/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("BANDAID_JVM_ROOT", dir.resolve("jvm").toString());
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "scripts/test did not finish within 60 s");
        return new Command.Result(p.exitValue(), Files.readString(dir.resolve("err")));
    }

    @Test
    void withoutAJdkItInstallsNothingAndSaysWhy() throws Exception {
        Command.Result r = runTestScript();
        List<String> calls = Files.readAllLines(dir.resolve("calls")).stream().filter(c -> !c.startsWith("dpkg-query")).toList();
        assertEquals(1, r.exit(), r.output() + "\n" + calls);
        assertEquals(1, r.output().lines().count(), r.output());
        assertTrue(r.output().startsWith("test: no JDK >= 22 here, and apt has no openjdk-25-jdk-headless: ")
                && r.output().contains("temurin-25-jdk") && r.output().strip().endsWith("nothing was installed"), r.output());
        assertFalse(calls.stream().anyMatch(c -> c.startsWith("apt-get install") && !c.startsWith("apt-get install -s")),
                "installed before knowing it cannot run: " + calls);
        assertFalse(calls.stream().anyMatch(c -> c.startsWith("mvn")), calls.toString());
    }
}
