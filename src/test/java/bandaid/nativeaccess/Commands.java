package bandaid.nativeaccess;

import bandaid.NotHere;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Commands the native-layer tests run (gcc, and the C programs it builds to print header values). */
final class Commands {
    private Commands() {
    }

    /** Skips the rest of a test where gcc is not installed (a bare container), saying {@code what} was not run. */
    static void needsGcc(String what) {
        NotHere.skipUnless(Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, "gcc"))), what,
                "gcc is not installed (apt-get install gcc libc6-dev linux-libc-dev)");
    }

    /** Runs {@code command} to its end within a minute and returns its output lines; fails when it fails. */
    static List<String> run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
        return out.lines().toList();
    }
}
