package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.cli.UnitFiles.Listen;
import bandaid.socket.Bytes;
import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketDescription;
import bandaid.service.Environment;
import bandaid.socket.SocketType;
import bandaid.supervisor.Learner;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bandaid unit NAME --learn -- PROGRAM}: runs PROGRAM once in a network namespace of its
 * own, made by unshare(1) with only a loopback that ip(8) brings up, so that its binds can
 * neither fail on nor disturb the ports of running services, and turns the sockets it listens
 * on into the socket unit's lines. The program runs for real otherwise (its files, its user):
 * only its network is throwaway. Its output goes to stderr, so stdout stays the units'.
 */
final class UnitLearning {
    /** How long after its last new bind() the program counts as settled. */
    static final Duration QUIET = Duration.ofSeconds(2);
    /** How long the program has in all, for a slow start or a bind that never comes. */
    static final Duration LIMIT = Duration.ofSeconds(30);
    private static final String SBIN = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Brings up lo ($0 is ip(8)), then becomes the program, its stdout on stderr. */
    private static final String INSIDE = "\"$0\" link set lo up && exec \"$@\" >&2";

    private UnitLearning() {
    }

    /**
     * @param program the program (absolute) and its arguments
     * @return the sockets it listened on, each IPv6 one with IPV6_V6ONLY as the program set it
     *         (its BindIPv6Only=: each socket gets a socket unit of its own, so each keeps its own)
     */
    static List<Listen> learn(Environment env, PrintStream err, List<byte[]> program) throws BandaidException {
        String name = Bytes.printable(program.getFirst());
        Learner.Outcome outcome = listenOnly(env, err, program);
        List<Listen> listen = new ArrayList<>();
        for (Learner.Heard heard : outcome.heard()) {
            SocketDescription s = heard.socket();
            err.println("bandaid: " + heard.caller() + " listens on " + s.address() + " (" + s.family() + " " + s.type()
                    + (s.family() == Family.INET6 ? ", IPV6_V6ONLY=" + (s.v6Only() ? 1 : 0) : "") + ")");
            Optional<Boolean> v6Only = s.family() == Family.INET6 ? Optional.of(s.v6Only()) : Optional.empty();
            address(s.address()).ifPresentOrElse(a -> listen.add(new Listen(Optional.empty(), s.type(), a, v6Only)),
                    () -> err.println("bandaid: WARN: " + s.address() + " is left out: a unit file can only name paths in UTF-8"));
        }
        String ended = outcome.exitStatus().isPresent() ? name + " exited with status " + outcome.exitStatus().getAsInt() : "";
        if (listen.isEmpty()) {
            throw new BandaidException(ExitCode.UNAVAILABLE, name + " made no listening bind() "
                    + (ended.isEmpty() ? "within " + LIMIT.toSeconds() + " s" : "before it ended (" + ended + ")") + ": nothing to pass");
        }
        err.println("bandaid: " + (ended.isEmpty() ? "stopped " + name : ended + " by itself") + "; the unit passes "
                + (listen.size() == 1 ? "that socket" : "those " + listen.size() + " sockets"));
        splits(outcome.heard()).forEach(line -> err.println("bandaid: " + line));
        return List.copyOf(listen);
    }

    /** What {@link #learn} found, without making a unit of it ({@code bandaid inspect -- PROGRAM}). */
    static Learner.Outcome listenOnly(Environment env, PrintStream err, List<byte[]> program) throws BandaidException {
        String path = Optional.ofNullable(env.get("PATH")).orElse("") + ":" + SBIN;
        String unshare = find("unshare", path, "util-linux");
        String ip = find("ip", path, "iproute2");
        checkNamespace(unshare, ip);
        List<byte[]> command = new ArrayList<>();
        for (String word : List.of(unshare, "--net", "--", "/bin/sh", "-c", INSIDE, ip)) {
            command.add(word.getBytes(StandardCharsets.UTF_8));
        }
        command.addAll(program);
        err.println("bandaid: running " + Bytes.printable(program.getFirst()) + " in a network namespace of its own until it has made"
                + " no new bind() for " + QUIET.toSeconds() + " s (at most " + LIMIT.toSeconds() + " s)");
        return Learner.learn(new Learner.Request(command, env, QUIET, LIMIT));
    }

    /**
     * Each port where the program splits the families, 0.0.0.0:P beside [::]:P with
     * IPV6_V6ONLY=1 (postgres's listen_addresses='*', dnsmasq): said, since a unit that passes
     * one dual-stack socket there instead hands both binds that one socket, and IPv4 clients
     * arrive as ::ffff:a.b.c.d.
     */
    static List<String> splits(List<Learner.Heard> heard) {
        List<String> lines = new ArrayList<>();
        for (Learner.Heard four : heard) {
            SocketDescription s = four.socket();
            if (!(s.address() instanceof ListenAddress.Inet v4) || v4.family() != Family.INET || !v4.isWildcard()) {
                continue;
            }
            boolean split = heard.stream().map(Learner.Heard::socket).anyMatch(h -> h.type() == s.type() && h.v6Only()
                    && h.address() instanceof ListenAddress.Inet v6 && v6.family() == Family.INET6 && v6.isWildcard() && v6.port() == v4.port());
            if (split) {
                String directive = s.type() == SocketType.DGRAM ? "ListenDatagram" : "ListenStream";
                lines.add(four.caller() + " splits the families on " + (s.type() == SocketType.DGRAM ? "UDP" : "TCP")
                        + " port " + v4.port() + " (0.0.0.0:" + v4.port() + " and [::]:" + v4.port() + " with IPV6_V6ONLY=1): pass"
                        + " them apart, " + directive + "=0.0.0.0:" + v4.port() + " " + directive + "=[::]:" + v4.port()
                        + " BindIPv6Only=ipv6-only; one dual-stack " + directive + "=" + v4.port() + " would hand both binds one socket,"
                        + " and IPv4 clients would arrive as ::ffff:a.b.c.d");
            }
        }
        return lines;
    }

    private static String find(String tool, String path, String packageName) throws BandaidException {
        return Stream.of(path.split(":")).filter(d -> !d.isEmpty()).map(d -> Path.of(d, tool))
                .filter(p -> Files.isExecutable(p) && !Files.isDirectory(p)).findFirst().map(Path::toString)
                .orElseThrow(() -> new BandaidException(ExitCode.UNAVAILABLE, "--learn needs " + tool + " to make a network namespace: "
                        + "apt-get install " + packageName));
    }

    /** Tries the namespace once before the program runs in it, to say plainly why it cannot be made. */
    private static void checkNamespace(String unshare, String ip) throws BandaidException {
        String said;
        int status;
        try {
            Process p = new ProcessBuilder(unshare, "--net", "--", ip, "link", "set", "lo", "up").redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
            said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new BandaidException(ExitCode.UNAVAILABLE, unshare + " --net did not finish within 10 s");
            }
            status = p.exitValue();
        } catch (IOException e) {
            throw new BandaidException(ExitCode.UNAVAILABLE, "cannot run " + unshare + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BandaidException(ExitCode.UNAVAILABLE, "interrupted while trying " + unshare + " --net");
        }
        if (status == 0) {
            return;
        }
        String line = said.lines().findFirst().orElse("exit status " + status);
        if (said.contains("Operation not permitted") || said.contains("Permission denied")) {
            throw new BandaidException(ExitCode.NOPERM, "--learn runs the program in a network namespace of its own, which needs root"
                    + " (" + line + "): run it as root, e.g. sudo bandaid unit ... --learn -- PROGRAM");
        }
        throw new BandaidException(ExitCode.UNAVAILABLE, "cannot make a network namespace for --learn: " + line);
    }

    /** As ListenStream= names it; empty for a unix name that is not UTF-8. */
    private static Optional<String> address(ListenAddress address) {
        if (address instanceof ListenAddress.Unix unix) {
            String name = new String(unix.name(), StandardCharsets.UTF_8);
            boolean clean = Arrays.equals(name.getBytes(StandardCharsets.UTF_8), unix.name())
                    && name.chars().noneMatch(c -> c < 0x20 || c == 0x7f) && !name.endsWith("\\") && name.equals(name.strip());
            return clean ? Optional.of((unix.isAbstract() ? "@" : "") + name) : Optional.empty();
        }
        return Optional.of(address.toString());
    }
}
