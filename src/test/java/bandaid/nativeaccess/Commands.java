package bandaid.nativeaccess;

import java.util.List;
import java.util.concurrent.TimeUnit;

/** Commands the native-layer tests run (gcc, and the C programs it builds to print header values). */
final class Commands {
    private Commands() {
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
