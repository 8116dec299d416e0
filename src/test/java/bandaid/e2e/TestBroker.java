package bandaid.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One {@code bandaid broker --listen=PATH -v} started by the tests, and the launcher that hands
 * every service to it: a script that execs scripts/bandaid with {@code --broker=PATH} put before
 * the caller's arguments (bandaid itself has no test hook: the option is given as a user gives
 * it). Being exec'd, the script keeps the pid systemd-socket-activate or pass-sockets.py gave
 * LISTEN_PID; first it writes down the passed sockets' inodes, which the program's pid holds no
 * more once bandaid has become the program (the broker holds them).
 */
final class TestBroker implements AutoCloseable {
    /** The broker's line when it took a handoff (Broker.take): the service's number and the wrapper's pid. */
    private static final Pattern TOOK = Pattern.compile("took .* from pid (\\d+) \\(uid \\d+\\) as service (\\d+)");

    private static TestBroker shared;

    private final Path dir;
    private final Path socket;
    private final Path log;
    private final Path launcher;
    private final Process process;

    private TestBroker(Path dir, Path socket, Path log, Path launcher, Process process) {
        this.dir = dir;
        this.socket = socket;
        this.log = log;
        this.launcher = launcher;
        this.process = process;
    }

    /** The broker of a broker-mode run, started at first use and stopped when the tests' JVM ends. */
    static synchronized TestBroker shared() {
        if (shared == null) {
            try {
                shared = start();
            } catch (IOException e) {
                throw new IllegalStateException("the tests' bandaid broker did not start: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the tests' bandaid broker started", e);
            }
            TestBroker started = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                started.close();
                try {
                    // Its log outlives it, for a failure's sake.
                    Files.writeString(Bandaid.ROOT.resolve("target/broker-mode-broker.log"), started.log());
                } catch (IOException e) {
                    // the run is over: nothing to tell
                }
                started.delete();
            }));
        }
        return shared;
    }

    /**
     * A broker of its own at DIR/broker.sock (the directory others may enter: a test connects as
     * another user too), and its launcher DIR/bandaid.
     */
    static TestBroker start() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("bandaid-broker");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path socket = dir.resolve("broker.sock");
        Path log = dir.resolve("broker.log");
        Path passed = Files.createDirectory(dir.resolve("passed"));
        Path launcher = dir.resolve("bandaid");
        // LISTEN_FDS is checked before the loop (a test passes 10000000 on purpose, others a
        // LISTEN_PID of another process): only what bandaid itself would take is written down.
        Files.writeString(launcher, """
                #!/bin/sh
                case "$LISTEN_FDS" in
                  [1-9]|[1-9][0-9])
                    if [ "$LISTEN_PID" = "$$" ]; then
                      fd=3
                      : > PASSED/$$
                      while [ $fd -lt $((3 + LISTEN_FDS)) ]; do
                        readlink /proc/$$/fd/$fd >> PASSED/$$ || echo - >> PASSED/$$
                        fd=$((fd + 1))
                      done
                    fi;;
                esac
                exec LAUNCHER --broker=SOCKET "$@"
                """.replace("PASSED", passed.toString()).replace("LAUNCHER", Bandaid.LAUNCHER).replace("SOCKET", socket.toString()));
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process process = Bandaid.processWithoutLauncher(List.of(Bandaid.LAUNCHER, "broker", "--listen=" + socket, "-v"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestBroker broker = new TestBroker(dir, socket, log, launcher, process);
        Duration start = Timeouts.scaled(Duration.ofSeconds(20));
        long deadline = System.nanoTime() + start.toNanos();
        while (!broker.log().contains("the bandaid broker takes handoffs")) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                broker.close();
                throw new IOException("no \"takes handoffs\" from the broker within " + start + ":\n" + broker.log());
            }
            Thread.sleep(20);
        }
        // As bandaid-broker.socket makes it (SocketMode=0666): anyone may connect.
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        return broker;
    }

    /** The broker's socket. */
    Path socket() {
        return socket;
    }

    /** The launcher that hands every service to this broker. */
    String launcher() {
        return launcher.toString();
    }

    long pid() {
        return process.pid();
    }

    /** Everything the broker wrote so far. */
    String log() throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }

    /**
     * The socket passed to the service at {@code pid} as {@code fd}, as {@code socket:[N]}, which
     * the launcher wrote down before bandaid started.
     */
    String passedSocket(long pid, int fd) throws IOException {
        Path file = dir.resolve("passed").resolve(Long.toString(pid));
        List<String> lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
        if (fd - 3 >= lines.size() || lines.get(fd - 3).equals("-")) {
            throw new AssertionError("no passed fd " + fd + " was written down for pid " + pid + ": " + lines);
        }
        return lines.get(fd - 3);
    }

    /** The broker's number for the service whose wrapper had {@code pid}, when it took one from it. */
    Optional<Long> service(long pid) throws IOException {
        Optional<Long> found = Optional.empty();
        Matcher took = TOOK.matcher(log());
        while (took.find()) {
            if (Long.parseLong(took.group(1)) == pid) {
                found = Optional.of(Long.parseLong(took.group(2)));
            }
        }
        return found;
    }

    /** The number of the last service the broker took so far, 0 before the first. */
    long lastService() throws IOException {
        long last = 0;
        Matcher took = TOOK.matcher(log());
        while (took.find()) {
            last = Math.max(last, Long.parseLong(took.group(2)));
        }
        return last;
    }

    /**
     * Once a run's processes have exited: waits until the broker is done with every service it
     * took after {@code mark} ({@link #lastService} before the run), so that what the test reads
     * next has every line (the broker writes a service's last lines once its last process is
     * gone). The tests run one at a time: the services taken meanwhile are the run's.
     */
    void awaitEndedAfter(long mark, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Timeouts.scaled(timeout).toNanos();
        for (long service = mark + 1; service <= lastService(); service++) {
            String ended = "service " + service + " (";
            while (log().lines().noneMatch(l -> l.contains(ended) && l.contains(" ended after "))) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the broker did not end service " + service + " within " + timeout + ":\n" + log());
                }
                Thread.sleep(10);
            }
        }
    }

    /** The broker's thread that reads the trapped calls of the service at {@code pid}. */
    Path readerThread(long pid) throws IOException {
        if (service(pid).isEmpty()) {
            throw new AssertionError("the broker took no service from pid " + pid + ":\n" + log());
        }
        // Linux keeps 15 bytes of a thread's name (prctl(2), PR_SET_NAME): every service's reader
        // is "bandaid-service". The newest is this one's: thread ids grow.
        try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid() + "/task"))) {
            return tasks.filter(t -> {
                try {
                    return Files.readString(t.resolve("comm")).strip().equals("bandaid-service");
                } catch (IOException gone) {
                    return false;
                }
            }).max((a, b) -> Long.compare(Long.parseLong(a.getFileName().toString()), Long.parseLong(b.getFileName().toString())))
                    .orElseThrow(() -> new AssertionError("the broker has no reader thread"));
        }
    }

    /** The fds the broker holds. */
    long openFds() throws IOException {
        return Programs.openFds(pid());
    }

    /** Stops the broker (SIGTERM, as systemctl stop does) and removes its directory. */
    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
        if (this != shared) {
            delete();
        }
    }

    private void delete() {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // a temporary directory left behind
        }
    }
}
