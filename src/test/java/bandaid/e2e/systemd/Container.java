package bandaid.e2e.systemd;

import bandaid.NotHere;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import bandaid.e2e.Timeouts;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Debian bookworm booted with systemd as its PID 1 (systemd-nspawn), for tests of bandaid in
 * real units: the host has no systemd of its own.
 *
 * <p>The root file system comes from scripts/systemd-rootfs (built once, outside the repository)
 * and is booted with --volatile=overlay, so each container starts from the same clean tree and
 * leaves it so. Nothing is left on the host either: nspawn runs in a private mount namespace with
 * a tmpfs /run (where it keeps its state), in a cgroup of its own (removed afterwards), with
 * --register=no --keep-unit (there is no host systemd to register with) and a private network
 * (only lo, so the tests' ports cannot clash with anything on the host). The repository is bound
 * read-only at its own path, so unit files name scripts/bandaid and target/bandaid.jar as on the
 * host; /usr/lib/jvm is bound read-only for the JDK that scripts/bandaid finds there.
 *
 * <p>Commands run inside through nsenter(1). What nsenter starts stays in the host's cgroup, so
 * the code under test always runs as a unit, started by the container's systemd; nsenter only
 * runs systemctl, journalctl and clients such as curl.
 *
 * <p>A test class registers one as a JUnit extension, which boots it before the class's first
 * test (and before its {@code @BeforeAll} methods) and shuts it down after the last:
 * {@code @RegisterExtension static final Container container = Container.perClass("nginx");}
 * Where the machine cannot boot one (not root, nspawn not installed, a chroot) the class's tests
 * are skipped, the reason said in one line.
 *
 * <p>With the system property {@code bandaid.test.systemd=pid1} the tests run on a machine whose
 * own PID 1 is systemd (scripts/kernels's virtual machines, booted from the same Debian packages,
 * with this repository mounted read-only at {@link #INSIDE}), and each "container" is that
 * machine: nothing is booted, and what a test class installed (units, files) is stopped and
 * removed again after its last test, as a container's overlay would have been.
 */
final class Container implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("user.dir"));
    /**
     * Where the repository is bound inside (read-only). Not its host path: a clone under /tmp
     * would vanish behind PrivateTmp= (which DynamicUser= implies) in hardened units.
     */
    static final String INSIDE = "/opt/bandaid";
    /** The launcher, inside the container. */
    static final String BANDAID = INSIDE + "/scripts/bandaid";
    static final String PYTHON = "/usr/bin/python3";

    private static final Duration ROOTFS_BUILD = Duration.ofMinutes(20);
    private static final Duration BOOT = Timeouts.scaled(Duration.ofSeconds(90));
    /** systemd is this machine's own PID 1: use it instead of booting a container (see above). */
    private static final boolean PID1 = "pid1".equals(System.getProperty("bandaid.test.systemd"));

    private final String name;
    private final boolean withJdk;
    private Process nspawn;
    private Path bootLog;
    private List<Path> cgroups = List.of();
    private long leader;
    /** Why this machine cannot run the class's tests (said once), or null. */
    private String notHere;
    /** With {@link #PID1}: the files and units this class added, removed again by {@link #close}. */
    private final List<String> written = new ArrayList<>();
    private final List<String> units = new ArrayList<>();

    private Container(String name, boolean withJdk) {
        this.name = name;
        this.withJdk = withJdk;
    }

    /** What a command inside printed and how it ended. */
    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\nstdout:\n" + stdout + "\nstderr:\n" + stderr;
        }
    }

    /** A container named after {@code test}, booted for each test class that registers it. */
    static Container perClass(String test) {
        return perClass(test, true);
    }

    /**
     * @param withJdk whether the host's JDKs are bound into the container; without them it has
     *                no Java at all, as a server that installs bandaid's .deb
     */
    static Container perClass(String test, boolean withJdk) {
        return new Container("bandaid-" + test + "-" + ProcessHandle.current().pid(), withJdk);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException, InterruptedException {
        // With PID1 the machine is the container: nothing to boot, no nspawn needed.
        Optional<String> lacking = PID1 ? Optional.empty() : checkHost();
        if (lacking.isPresent()) {
            notHere = NotHere.say("the tests under a real systemd (" + context.getDisplayName() + ")", lacking.get());
            return;
        }
        boot();
    }

    /** Each test of a class this machine cannot boot a container for is skipped, with the reason said once. */
    @Override
    public void beforeEach(ExtensionContext context) {
        Assumptions.assumeTrue(notHere == null, notHere);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException, InterruptedException {
        close();
    }

    /** Boots the container and waits until its systemd has finished starting up. */
    private void boot() throws IOException, InterruptedException {
        if (PID1) {
            if (!ROOT.toString().equals(INSIDE)) {
                throw new AssertionError("bandaid.test.systemd=pid1: the tests must run from " + INSIDE + ", where units find the repository, not from " + ROOT);
            }
            leader = 1;
            awaitBoot();
            return;
        }
        Path rootfs = rootfs();
        cgroups = cgroupsFor(name);
        for (Path cgroup : cgroups) {
            Files.createDirectories(cgroup);
        }
        List<String> command = new ArrayList<>(List.of("systemd-nspawn", "--quiet", "--boot",
                "--directory=" + rootfs, "--machine=" + name,
                "--register=no", "--keep-unit", "--private-network", "--volatile=overlay",
                "--link-journal=no", "--resolv-conf=off", "--timezone=off",
                "--setenv=SYSTEMD_COLORS=0", "--bind-ro=" + ROOT + ":" + INSIDE));
        if (withJdk && Files.isDirectory(Path.of("/usr/lib/jvm"))) {
            command.add("--bind-ro=/usr/lib/jvm");
        }
        // The JDK that runs the tests, when it is not under /usr/lib/jvm: bound too, and named to
        // scripts/bandaid through JAVA_HOME in every unit's environment.
        Path javaHome = Path.of(System.getProperty("java.home")).toRealPath();
        boolean foreignJdk = withJdk && !javaHome.startsWith("/usr/lib/jvm");
        if (foreignJdk) {
            command.add("--bind-ro=" + javaHome);
        }
        // Into the cgroup first (so nspawn and the container are under it from the start), then a
        // private mount namespace, where /run is a fresh tmpfs, then nspawn: all by exec, so the
        // process Java started is nspawn itself, and SIGTERM to it shuts the container down.
        StringBuilder script = new StringBuilder("set -e\n");
        for (Path cgroup : cgroups) {
            script.append("echo $$ > ").append(cgroup.resolve("cgroup.procs")).append('\n');
        }
        script.append("exec unshare --mount --propagation private -- sh -c 'mount -t tmpfs -o mode=0755 tmpfs /run && exec \"$0\" \"$@\"'");
        for (String arg : command) {
            script.append(" '").append(arg).append('\'');
        }
        bootLog = Files.createTempFile("bandaid-nspawn", ".log");
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script.toString())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectErrorStream(true).redirectOutput(bootLog.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("LISTEN_"));
        pb.environment().put("TERM", "dumb");
        this.nspawn = pb.start();
        awaitBoot();
        if (foreignJdk) {
            write("/etc/systemd/system.conf.d/java.conf", "[Manager]\nDefaultEnvironment=JAVA_HOME=" + javaHome + "\n");
            ok("systemctl daemon-reexec");
        }
    }

    /**
     * Root, nspawn and the tools around it, a machine that can make a container, and a repository
     * that User=nobody can read. What the machine lacks is returned, to skip the class's tests
     * with one line saying so; a repository others cannot read is a set-up to fix, and fails.
     */
    private static Optional<String> checkHost() throws IOException, InterruptedException {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("they boot a container with systemd-nspawn: run them as root");
        }
        for (String tool : List.of("systemd-nspawn", "nsenter", "unshare")) {
            if (Stream.of(System.getenv("PATH").split(":")).noneMatch(d -> Files.isExecutable(Path.of(d, tool)))) {
                return Optional.of(tool + " is not installed (apt-get install debootstrap systemd-container)");
            }
        }
        // The first step of boot(), tried alone: in a chroot (whose / is no mount point) unshare
        // says "cannot change root filesystem propagation: Invalid argument".
        Process probe = new ProcessBuilder("unshare", "--mount", "--propagation", "private", "--", "true").redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        String said = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        boolean done = probe.waitFor(30, TimeUnit.SECONDS);
        if (!done) {
            probe.destroyForcibly();
        }
        if (!done || probe.exitValue() != 0) {
            return Optional.of("this machine cannot make a container (a chroot?): unshare --mount: "
                    + (said.isEmpty() ? done ? "exit " + probe.exitValue() : "no answer within 30 s" : said.lines().findFirst().orElseThrow()));
        }
        // Units run bandaid as User=nobody: inside, only the repository's own modes matter (nspawn
        // creates the directories above the bind mount).
        for (String path : List.of("", "scripts", "scripts/lib", "target")) {
            String mode = Files.getPosixFilePermissions(ROOT.resolve(path)).toString();
            if (!mode.contains("OTHERS_EXECUTE") || !mode.contains("OTHERS_READ")) {
                throw new AssertionError(ROOT.resolve(path) + " is not readable by others (" + mode + "): units with User=nobody could not run bandaid");
            }
        }
        return Optional.empty();
    }

    /** scripts/systemd-rootfs: builds the root file system on the first run (minutes), then only says where it is. */
    private static Path rootfs() throws IOException, InterruptedException {
        Path out = Files.createTempFile("bandaid-rootfs", ".log");
        try {
            Process p = new ProcessBuilder(ROOT.resolve("scripts/systemd-rootfs").toString())
                    .redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(ROOTFS_BUILD.toSeconds(), TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                throw new AssertionError("scripts/systemd-rootfs did not finish within " + ROOTFS_BUILD + ":\n" + Files.readString(out));
            }
            List<String> lines = Files.readAllLines(out);
            if (p.exitValue() != 0 || lines.isEmpty()) {
                throw new AssertionError("scripts/systemd-rootfs failed (exit " + p.exitValue() + "):\n" + String.join("\n", lines));
            }
            if (lines.size() > 1) { // it built the tree: say so, once
                System.err.println(String.join("\n", lines.subList(0, lines.size() - 1)));
            }
            return Path.of(lines.getLast());
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** One cgroup of its own in each hierarchy systemd uses: the unified one, or name=systemd and unified (hybrid). */
    private static List<Path> cgroupsFor(String name) {
        Path root = Path.of("/sys/fs/cgroup");
        if (Files.exists(root.resolve("cgroup.controllers"))) {
            return List.of(root.resolve("bandaid-test").resolve(name));
        }
        List<Path> result = new ArrayList<>();
        for (String hierarchy : List.of("systemd", "unified")) {
            if (Files.exists(root.resolve(hierarchy).resolve("cgroup.procs"))) {
                result.add(root.resolve(hierarchy).resolve("bandaid-test").resolve(name));
            }
        }
        return result;
    }

    /** Waits for the container's PID 1 (nspawn's child), then for its systemd to finish starting up. */
    private void awaitBoot() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + BOOT.toNanos();
        while (leader == 0) {
            if (!nspawn.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the container did not start:\n" + bootLog());
            }
            Optional<ProcessHandle> init = nspawn.children().filter(c -> "systemd".equals(comm(c.pid()))).findFirst();
            if (init.isPresent()) {
                leader = init.get().pid();
            } else {
                Thread.sleep(20);
            }
        }
        while (true) {
            Result r = exec(Duration.ofSeconds(30), "systemctl", "is-system-running", "--wait");
            if (PID1 && r.stdout().isBlank()) {
                throw new AssertionError("systemctl is-system-running: " + r);
            }
            String state = r.stdout().strip();
            if (state.equals("running")) {
                return;
            }
            if (state.equals("degraded")) {
                throw new AssertionError("the container booted degraded:\n" + sh("systemctl --failed --no-pager").stdout() + "\n" + bootLog());
            }
            if (!PID1 && !nspawn.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("the container's systemd did not finish starting up (" + r + "):\n" + bootLog());
            }
            Thread.sleep(100);
        }
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException gone) {
            return "";
        }
    }

    String bootLog() throws IOException {
        return bootLog == null ? "" : Files.readString(bootLog);
    }

    /**
     * For a test class's @BeforeAll (which runs after the container's boot): where the machine
     * could not boot it, the class is skipped as its tests are, before it prepares anything.
     */
    void assumeBooted() {
        Assumptions.assumeTrue(notHere == null, notHere);
    }

    /** Runs a command in the container (all of its namespaces) with a clean environment. */
    Result exec(Duration wait, String... command) throws IOException, InterruptedException {
        assumeBooted();
        Duration timeout = Timeouts.scaled(wait);
        List<String> full = new ArrayList<>(List.of("nsenter", "--target", Long.toString(leader), "--all", "--",
                "env", "-i", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8", "SYSTEMD_COLORS=0"));
        full.addAll(List.of(command));
        Path out = Files.createTempFile("bandaid-nsenter-out", ".log");
        Path err = Files.createTempFile("bandaid-nsenter-err", ".log");
        try {
            Process p = new ProcessBuilder(full).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not finish within " + timeout
                        + "\nstdout:\n" + Files.readString(out) + "\nstderr:\n" + Files.readString(err));
            }
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** {@code bash -c script} in the container, within a minute. */
    Result sh(String script) throws IOException, InterruptedException {
        return exec(Duration.ofSeconds(60), "bash", "-c", script);
    }

    /** {@code bash -c script}, which must succeed; returns its stdout. */
    String ok(String script) throws IOException, InterruptedException {
        Result r = sh(script);
        if (r.exitCode() != 0) {
            throw new AssertionError(script + ": " + r);
        }
        return r.stdout();
    }

    /** Writes a file in the container (in its overlay: the root file system stays clean), through /proc/PID/root. */
    void write(String path, String content) throws IOException {
        assumeBooted();
        Path file = Path.of("/proc/" + leader + "/root" + path);
        if (PID1 && !Files.exists(file)) {
            written.add(path);
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, content, StandardCharsets.UTF_8);
    }

    /** Writes unit files into /etc/systemd/system and reloads systemd. */
    void install(Map<String, String> units) throws IOException, InterruptedException {
        for (Map.Entry<String, String> unit : units.entrySet()) {
            write("/etc/systemd/system/" + unit.getKey(), unit.getValue());
            this.units.add(unit.getKey());
        }
        ok("systemctl daemon-reload");
    }

    /** {@code systemctl show -p PROPERTY --value UNIT}. */
    String property(String unit, String property) throws IOException, InterruptedException {
        return ok("systemctl show -p " + property + " --value " + unit).strip();
    }

    /** ActiveState: active, inactive, failed, activating... */
    String state(String unit) throws IOException, InterruptedException {
        return property(unit, "ActiveState");
    }

    /** The unit's journal as the user sees it (journalctl -u UNIT). */
    String journal(String unit) throws IOException, InterruptedException {
        return ok("journalctl --no-pager --no-hostname -u " + unit).strip();
    }

    /** Just the lines the unit's processes wrote (bandaid's and the program's), without systemd's own. */
    List<String> messages(String unit) throws IOException, InterruptedException {
        return ok("journalctl --no-pager -o cat _SYSTEMD_UNIT=" + unit).lines().toList();
    }

    /** Waits for a line with {@code text} in the unit's output: journald may store it a moment after it was written. */
    List<String> awaitMessage(String unit, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Timeouts.scaled(Duration.ofSeconds(30)).toNanos();
        while (true) {
            List<String> lines = messages(unit);
            if (lines.stream().anyMatch(l -> l.contains(text))) {
                return lines;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + text + "\" from " + unit + " within 30 s:\n" + journal(unit));
            }
            Thread.sleep(100);
        }
    }

    /** Waits until the unit's ActiveState is {@code state}. */
    void awaitState(String unit, String state) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Timeouts.scaled(Duration.ofSeconds(60)).toNanos();
        while (!state(unit).equals(state)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(unit + " is " + state(unit) + ", not " + state + ", after 60 s:\n" + journal(unit));
            }
            Thread.sleep(100);
        }
    }

    /** An HTTP GET from inside; the first connection to a socket unit starts its service. */
    Http get(String url) throws IOException, InterruptedException {
        Result r = exec(Duration.ofSeconds(60), "curl", "-sS", "-m", "30", "-w", "\n%{http_code}", url);
        String out = r.stdout();
        int newline = out.lastIndexOf('\n');
        return new Http(r.exitCode(), newline < 0 ? 0 : Integer.parseInt(out.substring(newline + 1).strip()),
                newline < 0 ? out : out.substring(0, newline), r.stderr());
    }

    /** curl's exit code (7: refused), the HTTP status (0: none) and body. */
    record Http(int curlExit, int status, String body, String stderr) {
    }

    /** Stops the container (SIGTERM to nspawn: a clean shutdown of its systemd) and removes its cgroups. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (PID1) {
            cleanUp();
            return;
        }
        if (nspawn != null) { // JUnit calls afterAll even when boot failed early
            nspawn.destroy();
            if (!nspawn.waitFor(30, TimeUnit.SECONDS)) {
                nspawn.descendants().forEach(ProcessHandle::destroyForcibly);
                nspawn.destroyForcibly();
                nspawn.waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (Path cgroup : cgroups) {
            removeCgroup(cgroup);
        }
        for (Path cgroup : cgroups) { // bandaid-test itself, unless another run still uses it
            try {
                Files.deleteIfExists(cgroup.getParent());
            } catch (IOException inUse) {
                // another container of another run
            }
        }
        if (bootLog != null) {
            Files.deleteIfExists(bootLog);
        }
    }

    /** With {@link #PID1}: stops the units this class installed and removes what it wrote, as a container's end would. */
    private void cleanUp() throws IOException, InterruptedException {
        if (!units.isEmpty()) {
            sh("systemctl stop " + String.join(" ", units) + "; systemctl reset-failed");
        }
        for (String path : written.reversed()) {
            Files.deleteIfExists(Path.of("/proc/1/root" + path));
        }
        if (!units.isEmpty()) {
            ok("systemctl daemon-reload");
        }
        units.clear();
        written.clear();
    }

    /** Kills whatever is left in a cgroup tree (nothing, after a clean shutdown), then removes it, deepest first. */
    private static void removeCgroup(Path cgroup) throws IOException, InterruptedException {
        if (!Files.isDirectory(cgroup)) {
            return;
        }
        for (int attempt = 0; attempt < 50; attempt++) {
            List<Path> dirs;
            try (Stream<Path> walk = Files.walk(cgroup)) {
                dirs = walk.filter(Files::isDirectory).sorted(Comparator.reverseOrder()).toList();
            }
            boolean empty = true;
            for (Path dir : dirs) {
                for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
                    empty = false;
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            if (empty) {
                for (Path dir : dirs) {
                    Files.deleteIfExists(dir);
                }
                return;
            }
            Thread.sleep(100);
        }
        throw new IOException("cgroup " + cgroup + " still has processes");
    }

    @Override
    public String toString() {
        return name;
    }
}
