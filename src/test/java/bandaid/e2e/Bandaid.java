package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs scripts/bandaid the way users do, for end-to-end tests: in wrapper mode, or with
 * {@code -Dbandaid.e2e.mode=broker} in broker mode, where every bandaid the tests start hands
 * its service to one broker ({@link TestBroker}) and becomes the program.
 */
final class Bandaid {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));
    /** scripts/bandaid itself. */
    static final String LAUNCHER = ROOT.resolve("scripts/bandaid").toString();
    /** The mode this run tests: bandaid's default (wrapper mode, no broker being there), or broker. */
    static final boolean BROKER_MODE = brokerMode();
    /** How the tests start bandaid ($BANDAID): scripts/bandaid, or in broker mode with --broker=PATH. */
    static final String SCRIPT = BROKER_MODE ? TestBroker.shared().launcher() : LAUNCHER;
    /** The system's python, not whatever PATH finds first (a version manager's shim costs a third of a second per start). */
    static final String PYTHON = "/usr/bin/python3";

    private Bandaid() {
    }

    private static boolean brokerMode() {
        String mode = System.getProperty("bandaid.e2e.mode", "wrapper");
        if (!mode.equals("wrapper") && !mode.equals("broker")) {
            throw new IllegalArgumentException("bandaid.e2e.mode=" + mode + ": use wrapper or broker");
        }
        return mode.equals("broker");
    }

    /** Skips a test of what only wrapper mode does (a JVM beside the program), saying why. */
    /**
     * Why a test of --exit-idle-time's stop runs in wrapper mode only: in broker mode the program,
     * itself the service's main process, ends by the broker's SIGTERM (status 143, what systemd
     * takes for a clean stop), and outside systemd the broker finds a service's processes by
     * its process tree, not its cgroup; BrokerSystemdIT holds broker mode's idle stop under systemd.
     */
    static final String IDLE_STOP_IN_BROKER_MODE = "--exit-idle-time: in broker mode the program ends by SIGTERM, a clean stop"
            + " to systemd (BrokerSystemdIT holds it there)";

    static void assumeWrapperMode(String why) {
        Assumptions.assumeFalse(BROKER_MODE, "wrapper mode only: " + why);
    }

    /**
     * Skips, in the broker-mode run, a test that runs bandaid in both modes itself (with a
     * {@link LocalBroker} and {@code --no-broker}, which the shared broker's {@code --broker=}
     * would contradict): the wrapper-mode run has it, both modes included.
     */
    static void assumeItPicksTheModeItself() {
        Assumptions.assumeFalse(BROKER_MODE, "runs bandaid in both modes itself: the run without the shared broker has it");
    }


    /**
     * The socket passed to the bandaid at {@code pid} as {@code fd}, as {@code socket:[N]}: its fd
     * in wrapper mode; in broker mode, where the pid is the program's once bandaid became it, as
     * the launcher wrote it down.
     */
    static String passedSocket(long pid, int fd) throws IOException {
        return BROKER_MODE ? TestBroker.shared().passedSocket(pid, fd) : Net.fdTarget(pid, fd);
    }

    /**
     * The program that the bandaid started as {@code bandaid} runs: its child in wrapper mode,
     * the process itself in broker mode (bandaid became the program).
     */
    static ProcessHandle program(ProcessHandle bandaid, Duration timeout) throws InterruptedException {
        if (BROKER_MODE) {
            return bandaid;
        }
        long deadline = System.nanoTime() + Timeouts.scaled(timeout).toNanos();
        while (System.nanoTime() < deadline) {
            var child = bandaid.children().findFirst();
            if (child.isPresent()) {
                return child.get();
            }
            Thread.sleep(20);
        }
        throw new AssertionError("bandaid started no program");
    }

    /** Where a run starts, for {@link #awaitLastLines}: in broker mode the broker's last service so far. */
    static long mark() throws IOException {
        return BROKER_MODE ? TestBroker.shared().lastService() : 0;
    }

    /**
     * After a run that began at {@code mark} has exited: in broker mode, waits until the broker
     * has written its last lines about the run's services (wrapper mode's bandaid writes them
     * before it exits).
     */
    static void awaitLastLines(long mark) throws IOException, InterruptedException {
        if (BROKER_MODE) {
            TestBroker.shared().awaitEndedAfter(mark, Duration.ofSeconds(10));
        }
    }

    /** What a finished run printed and how it ended. */
    record Run(int exitCode, String stderr, String stdout) {
        /** The stderr lines that are bandaid's own. */
        List<String> bandaidLines() {
            return stderr.lines().filter(l -> l.startsWith("bandaid:")).toList();
        }
    }

    /**
     * The one way the tests start a process (bandaid, or whatever starts it): with the environment
     * the tests run in, less what systemd gives a service (a LISTEN_FDS or NOTIFY_SOCKET of the
     * tests' own would reach bandaid as if meant for it; an INVOCATION_ID, when the tests run in a
     * unit, would make the launcher act as in a unit), plus $BANDAID, the launcher; stdin is
     * /dev/null.
     */
    static ProcessBuilder process(List<String> command) {
        ProcessBuilder pb = processWithoutLauncher(command);
        pb.environment().put("BANDAID", SCRIPT);
        return pb;
    }

    /** {@link #process} without $BANDAID: for what starts before the launcher is known (the tests' broker). */
    static ProcessBuilder processWithoutLauncher(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().keySet().removeIf(k -> k.startsWith("LISTEN_") || k.startsWith("WATCHDOG_") || k.equals("NOTIFY_SOCKET")
                || k.equals("INVOCATION_ID"));
        return pb;
    }

    /**
     * Runs {@code bash -c SCRIPT} (which may set up fds and LISTEN_* before exec'ing bandaid;
     * $BANDAID is the launcher) and waits for it.
     */
    static Run shell(String script, Map<String, String> env) throws IOException, InterruptedException {
        Path out = Files.createTempFile("bandaid-out", ".log");
        Path err = Files.createTempFile("bandaid-err", ".log");
        try {
            ProcessBuilder pb = process(List.of("bash", "-c", script)).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            long mark = mark();
            Process p = pb.start();
            if (!p.waitFor(Timeouts.scaled(Duration.ofSeconds(60)).toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError("bandaid did not finish within " + Timeouts.scaled(Duration.ofSeconds(60)) + ": " + Files.readString(err));
            }
            awaitLastLines(mark);
            return new Run(p.exitValue(), Files.readString(err), Files.readString(out));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    static Run shell(String script) throws IOException, InterruptedException {
        return shell(script, Map.of());
    }

    /** bandaid started by systemd-socket-activate, which execs it on the first connection. */
    static final class Activated implements AutoCloseable {
        private final Process process;
        private final Path log;
        private final long mark;

        private Activated(Process process, Path log, long mark) {
            this.process = process;
            this.log = log;
            this.mark = mark;
        }

        /**
         * @param listen systemd-socket-activate's socket options, e.g. {@code -l 127.0.0.1:8080}
         * @param args   bandaid's arguments: options, then {@code --} and the program
         */
        static Activated start(List<String> listen, List<String> args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(SCRIPT));
            command.addAll(args);
            return startCommand(listen, command, Map.of());
        }

        /**
         * Any command started by systemd-socket-activate, for tests where something other than
         * bandaid must receive the sockets first (e.g. a shell playing systemd's part of keeping
         * the socket and starting the service again).
         *
         * @param command what it execs on the first connection, with LISTEN_FDS set
         * @param env     the command's environment besides LISTEN_* ($BANDAID is always the
         *                launcher): systemd-socket-activate passes on only PATH, TERM, USER,
         *                HOME and what {@code --setenv} sets
         */
        static Activated startCommand(List<String> listen, List<String> command, Map<String, String> env)
                throws IOException, InterruptedException {
            Path log = Files.createTempFile("bandaid-activated", ".log");
            List<String> all = new ArrayList<>(List.of("systemd-socket-activate"));
            all.addAll(listen);
            Map<String, String> setenv = new TreeMap<>(env);
            setenv.put("BANDAID", SCRIPT);
            // The JVM options the tests run bandaid with (scripts/kernels: -XX:UseAVX=0 in an
            // emulated CPU), which systemd-socket-activate would otherwise drop.
            String jvmOptions = System.getenv("BANDAID_JAVA_OPTIONS");
            if (jvmOptions != null && !env.containsKey("BANDAID_JAVA_OPTIONS")) {
                setenv.put("BANDAID_JAVA_OPTIONS", jvmOptions);
            }
            setenv.forEach((k, v) -> all.add("--setenv=" + k + "=" + v));
            all.addAll(command);
            long mark = mark();
            Activated a = new Activated(Bandaid.process(all).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log, mark);
            a.awaitLog("Listening on", Duration.ofSeconds(10));
            return a;
        }

        /**
         * bandaid given its sockets by src/test/resources/pass-sockets.py, which binds them and
         * execs bandaid at once: a unit systemd-socket-activate cannot play (TCP and UDP on one
         * port, IPv6-only sockets beside IPv4 ones, unix sockets owned by the service's user).
         *
         * @param specs pass-sockets.py's options and socket specs, e.g. {@code --ipv6-only tcp:0.0.0.0:53=dns}
         * @param args  bandaid's arguments: options, then {@code --} and the program
         */
        static Activated passed(List<String> specs, List<String> args) throws IOException {
            Path log = Files.createTempFile("bandaid-passed", ".log");
            List<String> all = new ArrayList<>(List.of(Programs.PASS));
            all.addAll(specs);
            all.add("--");
            all.add(SCRIPT);
            all.addAll(args);
            long mark = mark();
            return new Activated(Bandaid.process(all).redirectErrorStream(true).redirectOutput(log.toFile()).start(), log, mark);
        }

        /** bandaid's pid: systemd-socket-activate execs it, so it keeps this pid. */
        long pid() {
            return process.pid();
        }

        Process process() {
            return process;
        }

        /**
         * Waits for the process started as bandaid to exit, and in broker mode for the broker's
         * last lines about it too (they go to this log).
         *
         * @return whether it exited within {@code timeout}
         */
        boolean waitFor(Duration timeout) throws IOException, InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return false;
            }
            awaitLastLines(mark);
            return true;
        }

        /** The process that answers the program's trapped calls: bandaid, or in broker mode the broker. */
        long answerer() {
            return BROKER_MODE ? TestBroker.shared().pid() : pid();
        }

        /** The socket bandaid was passed as {@code fd}, as {@code socket:[N]}. */
        String passedSocket(int fd) throws IOException {
            return Bandaid.passedSocket(pid(), fd);
        }

        /** The sockets bandaid was passed as {@code fds}. */
        Set<String> passedSockets(int... fds) throws IOException {
            Set<String> result = new HashSet<>();
            for (int fd : fds) {
                result.add(passedSocket(fd));
            }
            return result;
        }

        /**
         * Asserts that process {@code pid} (the program, or one of its workers) serves on the
         * sockets bandaid was passed as {@code fds}: it holds those very sockets (same inodes),
         * not sockets of its own.
         */
        void assertServedOnPassed(long pid, int... fds) throws IOException {
            Set<String> passed = passedSockets(fds);
            Set<String> held = Net.sockets(pid);
            assertTrue(held.containsAll(passed), "process " + pid + " holds " + held + ", not the passed " + passed + "\n" + log());
        }

        String log() throws IOException {
            return Files.readString(log);
        }

        void awaitLog(String text, Duration wait) throws IOException, InterruptedException {
            Duration timeout = Timeouts.scaled(wait);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!log().contains(text)) {
                if (System.nanoTime() > deadline || !process.isAlive() && !log().contains(text)) {
                    throw new AssertionError("no \"" + text + "\" in the log within " + timeout + ":\n" + log());
                }
                Thread.sleep(20);
            }
        }

        /** The program bandaid started (its only child; in broker mode, bandaid's own pid). */
        ProcessHandle program(Duration timeout) throws InterruptedException {
            return Bandaid.program(process.toHandle(), timeout);
        }

        @Override
        public void close() throws IOException, InterruptedException {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            Files.deleteIfExists(log);
        }
    }
}
