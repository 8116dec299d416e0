package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * --map rules: two names for one address with different socket types each serve their own type;
 * a bracketed IPv4-mapped IPv6 address is an address; a unix path that cannot fit in sun_path (108
 * bytes with its NUL) is refused, since nothing could ever bind it. (issue 12, item 16)
 */
class MapRulesIT {

    /** Passes SPECS, prints the passed sockets' inodes ("passed3 I", "passed4 I"), runs bind-report.py BINDS under bandaid OPTIONS. */
    private static List<String> report(String specs, int passedCount, String options, String binds) throws Exception {
        StringBuilder stats = new StringBuilder();
        for (int fd = 3; fd < 3 + passedCount; fd++) {
            stats.append("stat -L -c \"passed").append(fd).append(" %i\" /proc/self/fd/").append(fd).append("; ");
        }
        return Programs.bindReport("exec " + Programs.PASS + " " + specs + " -- bash -c '" + stats
                + "exec \"$BANDAID\" " + options + " -- " + Bandaid.PYTHON + " " + Programs.program("bind-report.py") + " " + binds + "'");
    }

    private static String inode(List<String> lines, String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix + " ")).findFirst().orElseThrow().substring(prefix.length() + 1);
    }

    @Test
    void tcpAndUdpNamesForOnePortEachServeTheirOwnType() throws Exception {
        int port = Net.freePort();
        List<String> lines = report("tcp:127.0.0.1:" + port + "=web udp:127.0.0.1:" + port + "=dns", 2,
                "--map web=" + port + " --map dns=" + port, "tcp:127.0.0.1:" + port + " udp:127.0.0.1:" + port);
        assertEquals(List.of("tcp:127.0.0.1:" + port + " ino " + inode(lines, "passed3"), "udp:127.0.0.1:" + port + " ino " + inode(lines, "passed4")),
                lines.subList(2, lines.size()), String.join("\n", lines));
    }

    @Test
    void aBracketedV4MappedAddressIsAnAddress() throws Exception {
        int passed = Net.freePort();
        int mapped = Net.freePort();
        // The program binds another port than the passed one: only the rule joins them.
        List<String> lines = report("tcp:127.0.0.1:" + passed + "=web", 1, "--map web=[::ffff:127.0.0.1]:" + mapped,
                "tcp:127.0.0.1:" + mapped);
        assertEquals(List.of("tcp:127.0.0.1:" + mapped + " ino " + inode(lines, "passed3")), lines.subList(1, lines.size()),
                String.join("\n", lines));
    }

    @Test
    void aUnixPathLongerThanSunPathIsRefused() throws Exception {
        // 108 bytes: no room for the NUL in sun_path (unix(7)); 107 would fit.
        String path = "/" + "a".repeat(107);
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0=web -- \"$BANDAID\" --map web=" + path + " -- true");
        String line = ExitStatus.assertOneLine(run, ExitStatus.USAGE);
        assertTrue(line.contains("--map"), line);
        // Abstract names have the 107 bytes after their leading NUL.
        run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0=web -- \"$BANDAID\" --map web=@" + "a".repeat(108) + " -- true");
        line = ExitStatus.assertOneLine(run, ExitStatus.USAGE);
        assertTrue(line.contains("--map"), line);
    }
}
