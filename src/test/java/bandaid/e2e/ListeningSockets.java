package bandaid.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The TCP sockets listening on a port in this network namespace, from /proc/net/tcp and
 * /proc/net/tcp6 (proc(5)): who really accepts a connection to that port, whatever holds it.
 */
final class ListeningSockets {
    /** TCP_LISTEN in the "st" column (include/net/tcp_states.h). */
    private static final String LISTEN = "0A";

    private ListeningSockets() {
    }

    /** The inodes of the sockets listening on {@code port}, as {@code socket:[N]} like /proc/PID/fd. */
    static Set<String> onPort(int port) throws IOException {
        Set<String> result = new HashSet<>();
        all().forEach((inode, p) -> {
            if (p == port) {
                result.add(inode);
            }
        });
        return result;
    }

    /** Every listening TCP socket: its inode as {@code socket:[N]}, and its port. */
    static Map<String, Integer> all() throws IOException {
        Map<String, Integer> result = new HashMap<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            for (String line : Files.readAllLines(path).stream().skip(1).toList()) {
                String[] f = line.trim().split("\\s+");
                String local = f[1];
                if (f[3].equals(LISTEN)) {
                    result.put("socket:[" + f[9] + "]", Integer.parseInt(local.substring(local.indexOf(':') + 1), 16));
                }
            }
        }
        return result;
    }
}
