package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker runs for as long as the host does; meanwhile its jar may be rebuilt in place (a
 * checkout's {@code mvn package}) or replaced. Its stop must still work then: SIGTERM (systemctl
 * stop) ends it at once with STOPPING=1 and exit status 0, loading nothing from a jar that is no
 * longer the one it started from. A broker whose stop failed would keep running with TERM blocked
 * until the service manager's SIGKILL.
 */
class BrokerStopIT {
    @TempDir
    Path dir;

    @Test
    void aBrokerWhoseJarWasTruncatedUnderneathStillStopsCleanlyOnSigterm() throws Exception {
        assumeFalse(Bandaid.BROKER_MODE, "starts a broker of its own: runs once, in the run without the shared broker");
        // A checkout of its own: the launcher, and a copy of the jar that can be truncated.
        Path checkout = dir.resolve("checkout");
        Files.createDirectories(checkout.resolve("scripts/lib"));
        Files.createDirectories(checkout.resolve("target"));
        Files.copy(Bandaid.ROOT.resolve("scripts/bandaid"), checkout.resolve("scripts/bandaid"), StandardCopyOption.COPY_ATTRIBUTES);
        try (Stream<Path> lib = Files.list(Bandaid.ROOT.resolve("scripts/lib"))) {
            for (Path file : lib.toList()) {
                Files.copy(file, checkout.resolve("scripts/lib").resolve(file.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Path jar = checkout.resolve("target/bandaid.jar");
        Files.copy(Bandaid.ROOT.resolve("target/bandaid.jar"), jar);
        String name = "bandaid-it-broker-stop-" + ProcessHandle.current().pid();
        Path notified = dir.resolve("notify.log");
        Path log = dir.resolve("broker.log");
        Process receiver = Bandaid.process(List.of(Bandaid.PYTHON, Programs.program("notify-receiver.py"), name))
                .redirectErrorStream(true).redirectOutput(notified.toFile()).start();
        Process broker = null;
        try {
            awaitContaining(notified, "listening", receiver);
            ProcessBuilder pb = Bandaid.processWithoutLauncher(List.of(checkout.resolve("scripts/bandaid").toString(), "broker",
                    "--listen=" + dir.resolve("broker.sock"), "-v")).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().put("NOTIFY_SOCKET", "@" + name);
            broker = pb.start();
            awaitContaining(notified, " " + hex("READY=1"), broker);
            assertTrue(Files.readString(log).contains("the bandaid broker takes handoffs"), Files.readString(log));

            // In place, as a rebuild writes it: the JVM's open jar is cut to nothing.
            Files.write(jar, new byte[0]);
            broker.destroy();
            assertTrue(broker.waitFor(20, TimeUnit.SECONDS), "the broker did not stop on SIGTERM:\n" + Files.readString(log));
            String said = Files.readString(log, StandardCharsets.UTF_8);
            assertEquals(0, broker.exitValue(), said);
            assertTrue(said.lines().toList().getLast().startsWith("bandaid: INFO: the bandaid broker stops (signal 15)"), said);
            assertTrue(!said.contains("Error") && !said.contains("Exception"), said);
            awaitContaining(notified, " " + hex("STOPPING=1") + " ", receiver);
        } finally {
            if (broker != null) {
                broker.destroyForcibly();
            }
            receiver.destroyForcibly();
            receiver.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Waits for a line of {@code file} that contains {@code text} while {@code process} runs. */
    private static void awaitContaining(Path file, String text, Process process) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (Files.readAllLines(file).stream().noneMatch(l -> l.contains(text))) {
            assertTrue(process.isAlive() && System.nanoTime() < deadline, "no line with \"" + text + "\" in " + file + ":\n"
                    + Files.readString(file));
            Thread.sleep(20);
        }
    }

    /** How notify-receiver.py prints a message. */
    private static String hex(String message) {
        return HexFormat.of().formatHex(message.getBytes(StandardCharsets.US_ASCII));
    }
}
