package bandaid.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a client program (psql, mosquitto_pub) or a set-up step (initdb) to its end, bounded in time. */
final class Command {
    private Command() {
    }

    /** How a command ended: its exit status (-1 when killed for taking too long) and its output, stderr included. */
    record Result(int exit, String output) {
    }

    static Result run(List<String> command, Map<String, String> env, Duration timeout) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bandaid-command", ".log");
        try {
            ProcessBuilder pb = Bandaid.process(command).redirectErrorStream(true).redirectOutput(out.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, Files.readString(out, StandardCharsets.UTF_8) + "\n(killed after " + timeout + ")");
            }
            return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Runs it until it exits 0, within {@link ServerProbe#STARTUP}: the server it talks to may still be starting. */
    static Result untilItSucceeds(List<String> command, Map<String, String> env) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + ServerProbe.STARTUP.toNanos();
        List<String> failures = new ArrayList<>();
        for (int attempt = 0; attempt < 50; attempt++) {
            Result r = run(command, env, Duration.ofSeconds(10));
            if (r.exit() == 0) {
                return r;
            }
            failures.add(r.exit() + ": " + r.output().strip());
            if (System.nanoTime() > deadline) {
                break;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(String.join(" ", command) + " did not succeed within " + ServerProbe.STARTUP + ": "
                + failures.subList(Math.max(0, failures.size() - 2), failures.size()));
    }
}
