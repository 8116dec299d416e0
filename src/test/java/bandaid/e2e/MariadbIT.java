package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: mariadbd (Debian's mariadb-server, run as it comes: {@code --user=mysql} from root)
 * connect()s to its unix socket's path before it binds it, to see whether another server runs
 * there ("Another process is already listening on the socket file ... Aborting" when one
 * answers). Passed its unix socket and a TCP port, it must find nobody there, and then serve both
 * on the passed sockets. bandaid strips LISTEN_FDS, so mariadbd's own socket activation stays out
 * of it.
 */
class MariadbIT {
    private static final String MARIADBD = "/usr/sbin/mariadbd";
    private static final String CLIENT = "/usr/bin/mariadb";

    @TempDir
    Path dir;

    @BeforeEach
    void installDb() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(MARIADBD)) && Files.isExecutable(Path.of(CLIENT)),
                "mariadb is not installed (apt-get install mariadb-server)");
        assumeTrue(Command.run(List.of("id", "mysql"), Map.of(), Duration.ofSeconds(5)).exit() == 0, "no user mysql");
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        Files.setOwner(dir, users.lookupPrincipalByName("mysql"));
        Command.Result install = Command.run(List.of("mariadb-install-db", "--no-defaults", "--user=mysql",
                "--datadir=" + dir.resolve("data"), "--auth-root-authentication-method=normal", "--skip-test-db"),
                Map.of(), Duration.ofSeconds(120));
        assertEquals(0, install.exit(), install.output());
    }

    @Test
    void findsNobodyOnItsUnixSocketThenServesItAndItsTcpPortOnThePassedSockets() throws Exception {
        int port = Net.freePort();
        Path socket = dir.toRealPath().resolve("mysqld.sock");
        try (Bandaid.Activated a = Bandaid.Activated.passed(
                List.of("--socket-user=mysql", "tcp:127.0.0.1:" + port + "=mysql", "unix:" + socket + "=mysql-unix"),
                List.of("-v", "--", MARIADBD, "--no-defaults", "--user=mysql", "--datadir=" + dir.resolve("data"),
                        "--socket=" + socket, "--port=" + port, "--bind-address=127.0.0.1", "--pid-file=" + dir.resolve("mysqld.pid"),
                        "--skip-log-bin"))) {
            assertEquals("unix", query(List.of("--socket=" + socket)), a.log());
            assertEquals("tcp", query(List.of("--protocol=TCP", "--host=127.0.0.1", "--port=" + port)), a.log());

            String log = a.log();
            assertFalse(log.contains("Another process is already listening"), log);
            a.assertServedOnPassed(a.program(Duration.ofSeconds(5)).pid(), 3, 4);
            assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: DEBUG: connect(" + socket + ") from mariadbd[")
                    && l.endsWith("-> refused (ECONNREFUSED: the program has not bound passed fd 4 \"mysql-unix\" (" + socket
                    + ") yet; without socket activation nobody would listen there)")).count(), log);
        }
    }

    /** "unix" or "tcp": how the server says this client came (a TCP client's host has its port). */
    private static String query(List<String> where) throws Exception {
        List<String> command = new ArrayList<>(List.of(CLIENT, "--no-defaults", "--user=root", "--batch", "--skip-column-names"));
        command.addAll(where);
        command.addAll(List.of("-e", "select if(host like '%:%', 'tcp', 'unix') from information_schema.processlist where id = connection_id()"));
        return Command.untilItSucceeds(command, Map.of()).output().strip();
    }
}
