package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * postgres with listen_addresses='*' binds 0.0.0.0:P, then [::]:P with IPV6_V6ONLY=1, then its
 * unix socket DIR/.s.PGSQL.P (unlinking it first). It runs as its own user, postgres, on a
 * throwaway data directory with initdb's default pg_hba.conf (127.0.0.1/32 and ::1/128).
 */
class PostgresTwoFamiliesIT {
    private static final String PSQL = "/usr/bin/psql";

    @TempDir
    Path dir;
    private String postgres;

    @BeforeEach
    void initdb() throws Exception {
        Optional<Path> bin = newestPostgres();
        assumeTrue(bin.isPresent() && Files.isExecutable(Path.of(PSQL)), "postgres is not installed (apt-get install postgresql)");
        assumeTrue(Command.run(List.of("id", "postgres"), Map.of(), Duration.ofSeconds(5)).exit() == 0, "no user postgres");
        Net.assumeDualStackLoopback();
        postgres = bin.get().resolve("postgres").toString();
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
        Command.Result init = Command.run(asPostgres(bin.get().resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                "-U", "postgres", "--no-sync"), Map.of("LANG", "C"), Duration.ofSeconds(60));
        assertEquals(0, init.exit(), init.output());
    }

    /** Split unit: 0.0.0.0:P, [::]:P with BindIPv6Only=ipv6-only, and the unix socket. */
    @Test
    void servesIpv4Ipv6AndUnixClientsEachOnItsPassedSocket() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = start(port, "--ipv6-only", "tcp:0.0.0.0:" + port + "=pg", "tcp6:[::]:" + port + "=pg6")) {
            assertEquals("127.0.0.1", clientAddress("127.0.0.1", port), a.log());
            assertEquals("::1", clientAddress("::1", port), a.log());
            assertEquals("", clientAddress(dir.toString(), port), "over the unix socket there is no client address\n" + a.log());

            ProcessHandle server = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(server.pid(), 3, 4, 5);
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }

    /**
     * Issue 14: a dual-stack unit. Both TCP binds get the one [::] socket, IPv4 clients arrive as
     * ::ffff:127.0.0.1, and the default pg_hba.conf has no line for them: they are refused, and
     * bandaid's one warning says why and the unit lines that serve them, for both binds.
     */
    @Test
    void aDualStackUnitServesIpv6AndSaysWhyIpv4ClientsAreRefused() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = start(port, "--dual-stack", "tcp6:[::]:" + port + "=pg")) {
            assertEquals("::1", clientAddress("::1", port), a.log());
            Command.Result v4 = Command.run(psql("127.0.0.1", port), Map.of("PGCONNECT_TIMEOUT", "10"), Duration.ofSeconds(20));
            assertTrue(v4.output().contains("no pg_hba.conf entry for host \"::ffff:127.0.0.1\""), v4.output() + "\n" + a.log());

            String log = a.log();
            String fix = "fix, in the .socket unit: ListenStream=0.0.0.0:" + port + " ListenStream=[::]:" + port + " BindIPv6Only=ipv6-only";
            assertEquals(List.of("bind(0.0.0.0:" + port + ") gets passed fd 3 \"pg\" ([::]:" + port + "), one dual-stack socket for both"
                    + " families: IPv4 clients arrive as ::ffff:a.b.c.d, which access rules written for IPv4 addresses do not match; " + fix),
                    log.lines().filter(l -> l.startsWith("bandaid: WARN: postgres[")).map(l -> l.substring(l.indexOf("] ") + 2)).toList(),
                    "one line for both binds, the fix last:\n" + log);
            assertEquals(Set.of(a.passedSocket(3)), ListeningSockets.onPort(port), log);
        }
    }

    private Bandaid.Activated start(int port, String... tcp) throws IOException {
        List<String> specs = new ArrayList<>(List.of("--socket-user=postgres"));
        specs.addAll(List.of(tcp));
        specs.add("unix:" + dir.resolve(".s.PGSQL." + port) + "=pg-unix");
        List<String> args = new ArrayList<>(List.of("-v", "--"));
        args.addAll(asPostgres(postgres, "-D", dir.resolve("data").toString(), "-c", "listen_addresses=*", "-c", "port=" + port,
                "-c", "unix_socket_directories=" + dir, "-c", "fsync=off"));
        return Bandaid.Activated.passed(specs, args);
    }

    /** inet_client_addr() as postgres saw this client; empty over a unix socket. */
    private static String clientAddress(String host, int port) throws Exception {
        return Command.untilItSucceeds(psql(host, port), Map.of("PGCONNECT_TIMEOUT", "10")).output().strip();
    }

    private static List<String> psql(String host, int port) {
        return List.of(PSQL, "-h", host, "-p", Integer.toString(port), "-U", "postgres", "-d", "postgres", "-X", "-A", "-t",
                "-c", "select inet_client_addr()");
    }

    /** Runs as the user postgres (which postgres insists on), exec'ing so the pid stays. */
    private static List<String> asPostgres(String... command) {
        List<String> all = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        all.addAll(List.of(command));
        return all;
    }

    /** Debian's /usr/lib/postgresql/VERSION/bin of the newest version installed. */
    private static Optional<Path> newestPostgres() throws IOException {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(Comparator.comparingInt(b -> Integer.parseInt(b.getParent().getFileName().toString().replaceAll("\\D", "0"))));
        }
    }
}
