package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: pgbouncer (Debian's package, run as it comes, as the user postgres) connect()s to
 * its unix socket DIR/.s.PGSQL.P before it binds it ("unix socket is in use, cannot continue"
 * when one answers). Passed that socket and its TCP port, it must find nobody there, and then
 * serve both on the passed sockets: its admin console answers psql over each. bandaid strips
 * LISTEN_FDS, so pgbouncer's own socket activation stays out of it.
 */
class PgbouncerIT {
    private static final String PGBOUNCER = "/usr/sbin/pgbouncer";
    private static final String PSQL = "/usr/bin/psql";

    @TempDir
    Path dir;

    @BeforeEach
    void configure() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PGBOUNCER)) && Files.isExecutable(Path.of(PSQL)),
                "pgbouncer is not installed (apt-get install pgbouncer postgresql-client)");
        assumeTrue(Command.run(List.of("id", "postgres"), Map.of(), Duration.ofSeconds(5)).exit() == 0, "no user postgres");
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(dir, users.lookupPrincipalByName("postgres"));
    }

    @Test
    void findsNobodyOnItsUnixSocketThenServesItAndItsTcpPortOnThePassedSockets() throws Exception {
        int port = Net.freePort();
        Path real = dir.toRealPath();
        Path socket = real.resolve(".s.PGSQL." + port);
        Files.writeString(real.resolve("users.txt"), "\"postgres\" \"\"\n");
        Files.writeString(real.resolve("pgbouncer.ini"), String.join("\n", "[databases]", "[pgbouncer]",
                "listen_addr = 127.0.0.1", "listen_port = " + port, "unix_socket_dir = " + real, "auth_type = trust",
                "auth_file = " + real.resolve("users.txt"), "admin_users = postgres", ""));
        try (Bandaid.Activated a = Bandaid.Activated.passed(
                List.of("--socket-user=postgres", "tcp:127.0.0.1:" + port + "=pgbouncer", "unix:" + socket + "=pgbouncer-unix"),
                List.of("-v", "--", "setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", PGBOUNCER,
                        real.resolve("pgbouncer.ini").toString()))) {
            assertTrue(version(real.toString(), port).startsWith("PgBouncer "), a.log());
            assertTrue(version("127.0.0.1", port).startsWith("PgBouncer "), a.log());

            String log = a.log();
            assertFalse(log.contains("unix socket is in use"), log);
            a.assertServedOnPassed(a.program(Duration.ofSeconds(5)).pid(), 3, 4);
            assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: DEBUG: connect(" + socket + ") from pgbouncer[")
                    && l.contains("-> refused (ECONNREFUSED")).count(), log);
        }
    }

    /** SHOW VERSION on pgbouncer's admin console, over a unix socket (HOST a directory) or TCP. */
    private static String version(String host, int port) throws Exception {
        return Command.untilItSucceeds(List.of(PSQL, "-h", host, "-p", Integer.toString(port), "-U", "postgres", "-X", "-A", "-t",
                "-d", "pgbouncer", "-c", "SHOW VERSION"), Map.of("PGCONNECT_TIMEOUT", "10")).output().strip();
    }
}
