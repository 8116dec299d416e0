package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Test programs under src/test/resources, and bandaid runs that talk to them line by line. */
final class Programs {
    static final String PASS = Bandaid.ROOT.resolve("src/test/resources/pass-sockets.py").toString();
    /** {@code deny-syscalls.py NAME[,NAME...] COMMAND ARGS...}: COMMAND with those calls failing with EPERM. */
    static final String DENY = Bandaid.ROOT.resolve("src/test/resources/deny-syscalls.py").toString();

    private Programs() {
    }

    static String program(String name) {
        return Bandaid.ROOT.resolve("src/test/resources/programs/" + name).toString();
    }

    /**
     * The C program src/test/resources/programs/NAME.c, compiled with gcc into target/programs/NAME
     * (again only when the source, or a header beside it, is newer).
     */
    static synchronized String compiled(String name) throws IOException, InterruptedException {
        Path source = Bandaid.ROOT.resolve("src/test/resources/programs/" + name + ".c");
        Path binary = Bandaid.ROOT.resolve("target/programs/" + name);
        if (!Files.exists(binary) || Files.getLastModifiedTime(binary).compareTo(newest(source)) < 0) {
            Files.createDirectories(binary.getParent());
            Process gcc = new ProcessBuilder("gcc", "-O2", "-Wall", "-pthread", "-o", binary.toString(), source.toString())
                    .redirectErrorStream(true).start();
            String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (gcc.waitFor() != 0) {
                throw new AssertionError("gcc " + source + ":\n" + output);
            }
        }
        return binary.toString();
    }

    private static FileTime newest(Path source) throws IOException {
        try (Stream<Path> headers = Files.list(source.getParent())) {
            FileTime newest = Files.getLastModifiedTime(source);
            for (Path header : headers.filter(p -> p.toString().endsWith(".h")).toList()) {
                FileTime time = Files.getLastModifiedTime(header);
                newest = time.compareTo(newest) > 0 ? time : newest;
            }
            return newest;
        }
    }

    /**
     * Runs {@code bash -c SCRIPT}, which execs bind-report.py (under bandaid, maybe with lines of
     * its own before), and returns its lines before "done"; then lets it exit, which must be with
     * status 0 and no stack trace.
     */
    static List<String> bindReport(String script) throws IOException, InterruptedException {
        try (Interactive run = new Interactive(script)) {
            List<String> lines = new ArrayList<>();
            for (String line = run.line(); !line.equals("done"); line = run.line()) {
                lines.add(line);
            }
            run.send("");
            assertEquals(0, run.waitFor(), run.stderr());
            ExitStatus.assertNoStackTrace(run.stderr());
            return lines;
        }
    }

    /** Number of fds a process has open. */
    static long openFds(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.count();
        }
    }

    /** How a run of marker-serve.py under bandaid ended (see {@link #markerServe}). */
    record MarkerServe(boolean served, int exitCode, String stderr) {
    }

    /**
     * Runs {@code WRAPPER pass-sockets.py tcp:127.0.0.1:PORT -- bandaid OPTIONS -- marker-serve.py
     * MARKER 127.0.0.1 PORT} (WRAPPER: a command line such as deny-syscalls.py's, or empty); if the
     * program gets ready, a client asks it once. Then waits for the end, which must show no stack
     * trace.
     */
    static MarkerServe markerServe(String wrapper, String options, Path marker) throws IOException, InterruptedException {
        int port = Net.freePort();
        try (Interactive run = new Interactive("exec " + wrapper + PASS + " tcp:127.0.0.1:" + port + " -- \"$BANDAID\" " + options + " -- "
                + Bandaid.PYTHON + " " + program("marker-serve.py") + " " + marker + " 127.0.0.1 " + port)) {
            String first = run.out.readLine();
            boolean served = false;
            if ("ready".equals(first)) {
                assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
                served = true;
            } else {
                assertEquals(null, first, run.stderr());
            }
            int code = run.waitFor();
            ExitStatus.assertNoStackTrace(run.stderr());
            return new MarkerServe(served, code, run.stderr());
        }
    }

    /** bandaid started through bash (exec all the way down, so the pid is bandaid's), talking over stdin/stdout. */
    static final class Interactive implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final Path err;
        private final long mark;

        Interactive(String script) throws IOException {
            err = Files.createTempFile("bandaid-err", ".log");
            mark = Bandaid.mark();
            process = Bandaid.process(List.of("bash", "-c", script)).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        String line() throws IOException {
            String line = out.readLine();
            if (line == null) {
                throw new AssertionError("no more output; stderr: " + stderr());
            }
            return line;
        }

        void send(String line) throws IOException {
            process.getOutputStream().write((line + "\n").getBytes(StandardCharsets.UTF_8));
            process.getOutputStream().flush();
        }

        String stderr() throws IOException {
            return Files.readString(err);
        }

        /** The program bandaid started: its child, or in broker mode the process itself. */
        ProcessHandle program() throws InterruptedException {
            return Bandaid.program(process.toHandle(), java.time.Duration.ofSeconds(5));
        }

        int waitFor() throws InterruptedException, IOException {
            if (!process.waitFor(Timeouts.scaled(Duration.ofSeconds(30)).toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("bandaid did not exit; stderr: " + stderr());
            }
            Bandaid.awaitLastLines(mark);
            return process.exitValue();
        }

        @Override
        public void close() throws IOException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Files.deleteIfExists(err);
        }
    }
}
