package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bandaid in a podman container, started the way a socket unit starts it: systemd-socket-activate
 * holds the socket in the host's network and execs {@code podman run}, which passes LISTEN_FDS
 * into the container with LISTEN_PID=1. The image is the systemd tests' Debian rootfs (podman
 * import: no registry here); the repository and the JDK are bound read-only into it, except in
 * the test of an image with the .deb installed, which has neither.
 *
 * <p>This VM's podman needs runc (crun refuses the hybrid cgroup setup) and ulimits it may set
 * (no CAP_SYS_RESOURCE to raise RLIMIT_NOFILE): a test-only containers.conf. Skipped where
 * podman, runc or root is missing.
 */
class PodmanIT {
    private static final String IMAGE_PREFIX = "localhost/bandaid-test-";
    private static String image;
    private static Path conf;

    @BeforeAll
    static void podman() throws Exception {
        Bandaid.assumeWrapperMode("in a container bandaid runs in wrapper mode: no broker socket is there");
        assumeTrue("root".equals(System.getProperty("user.name")), "podman tests run as root");
        assumeTrue(onPath("podman") && onPath("runc"), "podman and runc are not installed (apt-get install podman runc)");
        conf = Files.createTempFile("bandaid-containers", ".conf");
        Files.writeString(conf, """
                [containers]
                default_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]
                [engine]
                runtime = "runc"
                """);
        Path rootfs = rootfs();
        image = IMAGE_PREFIX + rootfs.getFileName();
        if (podmanRun(List.of("image", "exists", image), Duration.ofSeconds(30)) != 0) {
            int imported = podmanRun(List.of("bash", "-c", "tar -C " + rootfs + " -c . | podman import - " + image), Duration.ofMinutes(5));
            assertEquals(0, imported, "podman import of " + rootfs);
        }
    }

    @AfterAll
    static void removeConf() throws IOException {
        if (conf != null) {
            Files.deleteIfExists(conf);
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** scripts/systemd-rootfs: the Debian tree the systemd tests boot (built once; has python3). */
    private static Path rootfs() throws Exception {
        Process p = new ProcessBuilder(Bandaid.ROOT.resolve("scripts/systemd-rootfs").toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assumeTrue(p.waitFor(20, TimeUnit.MINUTES) && p.exitValue() == 0, "no rootfs for the image (scripts/systemd-rootfs needs debootstrap)");
        return Path.of(out.lines().reduce((a, b) -> b).orElseThrow());
    }

    private static int podmanRun(List<String> args, Duration timeout) throws Exception {
        List<String> command = new ArrayList<>();
        if (!args.getFirst().equals("bash")) {
            command.add("podman");
        }
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("CONTAINERS_CONF", conf.toString());
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command + " did not finish within " + timeout);
        }
        return p.exitValue();
    }

    /** Containers a test started, removed after it: killing the podman client leaves a container running under conmon. */
    private final List<String> started = new ArrayList<>();

    @AfterEach
    void removeContainers() throws Exception {
        for (String name : started) {
            podmanRun(List.of("rm", "--force", "--time=2", "--ignore", name), Duration.ofSeconds(60));
        }
    }

    /** systemd-socket-activate -l 127.0.0.1:PORT podman run --rm OPTIONS IMAGE COMMAND... */
    private Bandaid.Activated run(int port, List<String> options, String... command) throws Exception {
        String name = "bandaid-test-" + ProcessHandle.current().pid() + "-" + port;
        started.add(name);
        List<String> all = new ArrayList<>(List.of("podman", "run", "--rm", "--name=" + name, "--stop-timeout=2",
                "-v", Bandaid.ROOT + ":/opt/bandaid:ro", "-v", Path.of(System.getProperty("java.home")).toRealPath() + ":/opt/jdk:ro",
                "-e", "JAVA_HOME=/opt/jdk"));
        all.addAll(options);
        all.add(image);
        all.addAll(List.of(command));
        return Bandaid.Activated.startCommand(List.of("-l", "127.0.0.1:" + port), all,
                Map.of("CONTAINERS_CONF", conf.toString(), "PATH", System.getenv("PATH")));
    }

    private static String[] bandaid(int port, String... options) {
        List<String> command = new ArrayList<>(List.of("/opt/bandaid/scripts/bandaid"));
        command.addAll(List.of(options));
        command.addAll(List.of("--", Bandaid.PYTHON, "-m", "http.server", Integer.toString(port)));
        return command.toArray(String[]::new);
    }

    @Test
    void servesWithNoNetworkUnderTheDefaultProfile() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = run(port, List.of("--network=none"), bandaid(port))) {
            assertEquals(200, Net.get("http://127.0.0.1:" + port + "/").statusCode(), a.log());
        }
    }

    /**
     * The image a user would build: the Debian rootfs with bandaid's .deb installed (its own
     * runtime, no JDK), bandaid the entrypoint, no network, podman's default profile; nothing of
     * the repository bound in. The .deb is the one scripts/package makes (built here if missing).
     */
    @Test
    void anImageWithTheDebServesWithNoNetwork() throws Exception {
        String withDeb = debImage();
        int port = Net.freePort();
        String name = "bandaid-test-" + ProcessHandle.current().pid() + "-" + port;
        started.add(name);
        List<String> command = List.of("podman", "run", "--rm", "--name=" + name, "--stop-timeout=2", "--network=none",
                "--entrypoint=/usr/bin/bandaid", withDeb, "--", "python3", "-m", "http.server", Integer.toString(port));
        try (Bandaid.Activated a = Bandaid.Activated.startCommand(List.of("-l", "127.0.0.1:" + port), command,
                Map.of("CONTAINERS_CONF", conf.toString(), "PATH", System.getenv("PATH")))) {
            assertEquals(200, Net.get("http://127.0.0.1:" + port + "/").statusCode(), a.log());
        }
    }

    /** The rootfs image with the .deb installed, made once per .deb (podman commit of a dpkg -i). */
    private static String debImage() throws Exception {
        Path deb = packagedDeb();
        String withDeb = image + "-deb-" + Long.toHexString(Files.size(deb) ^ Files.getLastModifiedTime(deb).toMillis());
        if (podmanRun(List.of("image", "exists", withDeb), Duration.ofSeconds(30)) != 0) {
            String builder = "bandaid-test-deb-" + ProcessHandle.current().pid();
            int installed = podmanRun(List.of("run", "--name=" + builder, "-v", deb + ":/tmp/bandaid.deb:ro", "--network=none", image,
                    "dpkg", "-i", "/tmp/bandaid.deb"), Duration.ofMinutes(3));
            try {
                assertEquals(0, installed, "dpkg -i of " + deb + " in " + image);
                assertEquals(0, podmanRun(List.of("commit", builder, withDeb), Duration.ofMinutes(3)), "podman commit");
            } finally {
                podmanRun(List.of("rm", "--force", "--ignore", builder), Duration.ofSeconds(60));
            }
        }
        return withDeb;
    }

    /** target/bandaid_*_amd64.deb, made by scripts/package when there is none yet. */
    private static Path packagedDeb() throws Exception {
        Path target = Bandaid.ROOT.resolve("target");
        try (Stream<Path> files = Files.list(target)) {
            var found = files.filter(f -> f.getFileName().toString().matches("bandaid_.*_amd64\\.deb")).findFirst();
            if (found.isPresent()) {
                return found.get();
            }
        }
        Process build = new ProcessBuilder(Bandaid.ROOT.resolve("scripts/package").toString()).redirectErrorStream(true)
                .redirectOutput(target.resolve("package-podman.log").toFile()).start();
        assertTrue(build.waitFor(15, TimeUnit.MINUTES) && build.exitValue() == 0, Files.readString(target.resolve("package-podman.log")));
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("bandaid_.*_amd64\\.deb")).findFirst().orElseThrow();
        }
    }

    @Test
    void exitIdleTimeCountsConnectionsInABridgeNetwork() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = run(port, List.of("--network=bridge"), bandaid(port, "--exit-idle-time=2s"))) {
            try (Socket held = new Socket()) {
                held.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
                assertFalse(a.process().waitFor(8, TimeUnit.SECONDS), "stopped while a connection was open:\n" + a.log());
                held.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                held.setSoTimeout(10_000);
                assertTrue(new String(held.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).startsWith("HTTP/1.0 200"), a.log());
            }
            assertTrue(a.process().waitFor(30, TimeUnit.SECONDS), "still running after the connection closed:\n" + a.log());
            assertEquals(0, a.process().exitValue(), a.log());
            assertTrue(a.log().contains("bandaid: INFO: No connection for 2s: stopping the program (--exit-idle-time)"), a.log());
        }
    }

    @Test
    void aListenPidThatIsNotBandaidsSaysSoWithTheContainerHint() throws Exception {
        int port = Net.freePort();
        String forking = String.join(" ", bandaid(port)) + "; exit $?";
        try (Bandaid.Activated a = run(port, List.of("--network=none"), "sh", "-c", forking)) {
            connectOnce(port);
            assertTrue(a.process().waitFor(60, TimeUnit.SECONDS), a.log());
            assertEquals(78, a.process().exitValue(), a.log());
            List<String> lines = a.log().lines().filter(l -> l.startsWith("bandaid:")).toList();
            assertEquals(1, lines.size(), a.log());
            assertTrue(lines.getFirst().startsWith("bandaid: LISTEN_PID=1 is not bandaid's pid ")
                    && lines.getFirst().contains("in a container, bandaid must be PID 1"), lines.getFirst());
        }
    }

    @Test
    void aProfileThatBlocksSeccompSaysSoAndExits77() throws Exception {
        String line = refusedBy("seccomp");
        assertTrue(line.startsWith("bandaid: seccomp(") && line.contains("ENOSYS")
                && line.contains("seccomp(2) is blocked by a filter bandaid runs under") && !line.contains("kernel lacks"), line);
    }

    @Test
    void aProfileThatBlocksProcessVmReadvSaysSoAndExits77() throws Exception {
        String line = refusedBy("process_vm_readv");
        assertTrue(line.startsWith("bandaid: process_vm_readv: ENOSYS") && line.contains("allow process_vm_readv in the seccomp profile"), line);
    }

    @Test
    void aProfileThatBlocksPidfdOpenOrPidfdGetfdStillServes(@TempDir Path dir) throws Exception {
        for (String call : List.of("pidfd_open", "pidfd_getfd")) {
            int port = Net.freePort();
            try (Bandaid.Activated a = run(port, List.of("--network=none", "--security-opt", "seccomp=" + profileWithout(call, dir)),
                    bandaid(port, "-v"))) {
                assertEquals(200, Net.get("http://127.0.0.1:" + port + "/").statusCode(), call + ":\n" + a.log());
                assertTrue(a.log().contains("bandaid: DEBUG: " + call), call + ":\n" + a.log());
            }
        }
    }

    /** Runs bandaid under podman's default profile without {@code call}: it must exit 77 before the program starts. */
    private String refusedBy(String call) throws Exception {
        int port = Net.freePort();
        Path dir = Files.createTempDirectory("bandaid-profile");
        try (Bandaid.Activated a = run(port, List.of("--network=none", "--security-opt", "seccomp=" + profileWithout(call, dir)), bandaid(port))) {
            connectOnce(port);
            assertTrue(a.process().waitFor(60, TimeUnit.SECONDS), a.log());
            assertEquals(77, a.process().exitValue(), a.log());
            List<String> lines = a.log().lines().filter(l -> l.startsWith("bandaid:")).toList();
            assertEquals(1, lines.size(), a.log());
            assertFalse(a.log().contains("Serving HTTP"), "the program must not start:\n" + a.log());
            return lines.getFirst();
        } finally {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    /** podman's default seccomp profile (containers-common) with {@code call} taken out of its allowed names. */
    private static Path profileWithout(String call, Path dir) throws Exception {
        Path profile = dir.resolve("no-" + call + ".json");
        Process p = new ProcessBuilder(Bandaid.PYTHON, "-c", """
                import json, sys
                p = json.load(open("/usr/share/containers/seccomp.json"))
                for rule in p["syscalls"]:
                    if sys.argv[1] in rule.get("names", []):
                        rule["names"].remove(sys.argv[1])
                json.dump(p, open(sys.argv[2], "w"))
                """, call, profile.toString()).inheritIO().start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "profile without " + call);
        return profile;
    }

    /** The first connection makes systemd-socket-activate start podman; its answer does not matter. */
    private static void connectOnce(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        } catch (IOException e) {
            // refused or reset: what was asked was only the start
        }
    }
}
