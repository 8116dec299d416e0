package bandaid.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A bandaid broker of the tests' own ({@code bandaid broker --listen=PATH}), for tests that must
 * hold in both modes: a bandaid given {@link #option()} hands its program over to it and becomes
 * the program, instead of supervising it beside it (wrapper mode).
 */
final class LocalBroker implements AutoCloseable {
    private final Process process;
    private final Path dir;

    private LocalBroker(Process process, Path dir) {
        this.process = process;
        this.dir = dir;
    }

    static LocalBroker start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bandaid-broker");
        Process process = Bandaid.process(List.of(Bandaid.SCRIPT, "broker", "--listen=" + dir.resolve("broker.sock")))
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        LocalBroker broker = new LocalBroker(process, dir);
        long deadline = System.nanoTime() + Timeouts.scaled(Duration.ofSeconds(20)).toNanos();
        while (!broker.log().contains("takes handoffs")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                broker.close();
                throw new AssertionError("the broker did not start:\n" + broker.log());
            }
            Thread.sleep(20);
        }
        return broker;
    }

    /** bandaid's option that hands the program to this broker. */
    String option() {
        return "--broker=" + dir.resolve("broker.sock");
    }

    String log() throws IOException {
        Path log = dir.resolve("log");
        return Files.exists(log) ? Files.readString(log) : "";
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
        process.destroyForcibly();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
        }
        Files.deleteIfExists(dir);
    }
}
