package bandaid.nativeaccess;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The socket tables of bandaid's own network namespace: /proc/net/tcp, tcp6 and unix (proc(5)).
 * They show that namespace only: sockets living in another one (PrivateNetwork=, a container's
 * network) are not in them.
 */
public final class NetTables {
    /** st column of /proc/net/tcp: 0A LISTEN, 06 TIME_WAIT, 07 CLOSE (include/net/tcp_states.h): not a live connection. */
    private static final Set<String> NOT_CONNECTED = Set.of("0A", "06", "07");
    /** St column of /proc/net/unix: 03 SS_CONNECTED. */
    private static final String UNIX_CONNECTED = "03";

    private NetTables() {
    }

    /** The inodes of every TCP and unix socket the tables list. */
    public static Set<Long> listedInodes() {
        Set<Long> listed = new HashSet<>();
        for (String table : List.of("tcp", "tcp6")) {
            for (String[] f : rows(table)) {
                if (f.length > 9) {
                    listed.add(Long.parseLong(f[9]));
                }
            }
        }
        for (String[] f : rows("unix")) {
            if (f.length > 6) {
                listed.add(Long.parseLong(f[6]));
            }
        }
        return listed;
    }

    /** Whether a live TCP connection has one of {@code ports} as its local port (accepted ones carry their listener's). */
    public static boolean tcpConnectedOn(Set<Integer> ports) {
        for (String table : List.of("tcp", "tcp6")) {
            for (String[] f : rows(table)) {
                if (f.length > 3 && f[1].contains(":") && !NOT_CONNECTED.contains(f[3])
                        && ports.contains(Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16))) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a connected unix socket is bound to one of {@code paths}, as the table shows them ({@code @} for abstract). */
    public static boolean unixConnectedOn(Set<String> paths) {
        for (String[] f : rows("unix")) {
            if (f.length > 7 && f[5].equals(UNIX_CONNECTED) && paths.contains(f[7])) {
                return true;
            }
        }
        return false;
    }

    /** A table's rows, split on white space, without its header. */
    private static List<String[]> rows(String table) {
        try {
            List<String> all = Files.readAllLines(Path.of("/proc/net", table));
            return all.stream().skip(1).map(line -> line.trim().split("\\s+")).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
