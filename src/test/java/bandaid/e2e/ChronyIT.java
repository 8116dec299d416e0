package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: chronyd (Debian's chrony, in the foreground, not touching the clock) binds its
 * command port on 127.0.0.1 and [::1] (UDP) and its command socket, a unix datagram path. A unit
 * that passes less than that leaves chronyd listening outside socket activation: bandaid says so
 * once for each such address, at warning level, with the line that would pass it; what was
 * passed is served.
 */
class ChronyIT {
    private static final String CHRONYD = "/usr/sbin/chronyd";
    private static final String CHRONYC = "/usr/bin/chronyc";

    @TempDir
    Path dir;
    private Path config;
    private Path socket;
    private int port;

    @BeforeEach
    void configure() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(CHRONYD)) && Files.isExecutable(Path.of(CHRONYC)), "chrony is not installed (apt-get install chrony)");
        Net.assumeDualStackLoopback();
        Path real = dir.toRealPath();
        // chronyd refuses a command socket directory that others may enter
        Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rwx------"));
        port = Net.freePort();
        socket = real.resolve("chronyd.sock");
        config = real.resolve("chrony.conf");
        Files.writeString(config, String.join("\n", "cmdport " + port, "port 0", "driftfile " + real.resolve("drift"),
                "pidfile " + real.resolve("chronyd.pid"), "bindcmdaddress " + socket, ""));
    }

    @Test
    void aUnitThatPassesOnlyTheIpv4CommandPortHearsOnceWhichLinesWouldPassTheRest() throws Exception {
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("udp:127.0.0.1:" + port + "=chronyd"), chronyd())) {
            assertTrue(tracking("127.0.0.1").contains("Reference ID"), a.log());
            a.awaitLog("listens on [::1]:" + port, Duration.ofSeconds(10));
            a.awaitLog("listens on " + socket, Duration.ofSeconds(10));
            a.assertServedOnPassed(a.program(Duration.ofSeconds(5)).pid(), 3);
            String log = a.log();
            assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: WARN: chronyd[") && l.contains(" listens on [::1]:" + port + " ")
                    && l.endsWith("add ListenDatagram=[::1]:" + port)).count(), log);
            assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: WARN: chronyd[") && l.contains(" listens on " + socket + " ")
                    && l.endsWith("add ListenDatagram=" + socket)).count(), log);
            assertEquals(2, log.lines().filter(l -> l.startsWith("bandaid: WARN")).count(), log);
        }
    }

    @Test
    void aUnitThatPassesAllThreeIsServedOnThemWithoutAWord() throws Exception {
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("--ipv6-only", "udp:127.0.0.1:" + port + "=chronyd",
                "udp6:[::1]:" + port + "=chronyd", "unixgram:" + socket + "=chronyd"), chronyd())) {
            assertTrue(tracking("127.0.0.1").contains("Reference ID"), a.log());
            assertTrue(tracking("::1").contains("Reference ID"), a.log());
            a.assertServedOnPassed(a.program(Duration.ofSeconds(5)).pid(), 3, 4, 5);
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }

    private List<String> chronyd() {
        return List.of("-v", "--", CHRONYD, "-d", "-x", "-u", "root", "-f", config.toString());
    }

    private String tracking(String host) throws Exception {
        return Command.untilItSucceeds(List.of(CHRONYC, "-n", "-h", host, "-p", Integer.toString(port), "tracking"), Map.of()).output();
    }
}
