package bandaid.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Any command started by systemd-socket-activate, for tests where something other than bandaid
 * must receive the sockets: e.g. a shell playing systemd's part of keeping the listening socket
 * and starting the service again after it exits ({@link Bandaid.Activated} always runs bandaid).
 */
final class ActivatedCommand implements AutoCloseable {
    private final Process process;
    private final Path log;

    private ActivatedCommand(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * @param listen  systemd-socket-activate's socket options, e.g. {@code -l /run/app.sock}
     * @param command what it execs on the first connection, with LISTEN_FDS set
     * @param env     the command's environment besides LISTEN_* ($BANDAID is always the
     *                launcher): systemd-socket-activate passes on only PATH, TERM, USER, HOME
     *                and what {@code -E} sets
     */
    static ActivatedCommand start(List<String> listen, List<String> command, Map<String, String> env)
            throws IOException, InterruptedException {
        Path log = Files.createTempFile("bandaid-activated-command", ".log");
        List<String> all = new ArrayList<>(List.of("systemd-socket-activate"));
        all.addAll(listen);
        Map<String, String> setenv = new TreeMap<>(env);
        setenv.put("BANDAID", Bandaid.SCRIPT);
        setenv.forEach((k, v) -> all.add("--setenv=" + k + "=" + v));
        all.addAll(command);
        ProcessBuilder pb = new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("LISTEN_"));
        ActivatedCommand a = new ActivatedCommand(pb.start(), log);
        a.awaitLog("Listening on", Duration.ofSeconds(10));
        return a;
    }

    Process process() {
        return process;
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    void awaitLog(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!log().contains(text)) {
            if (System.nanoTime() > deadline || !process.isAlive() && !log().contains(text)) {
                throw new AssertionError("no \"" + text + "\" in the log within " + timeout + ":\n" + log());
            }
            Thread.sleep(20);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        Files.deleteIfExists(log);
    }
}
