package bandaid.nativeaccess;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
    /** 08 CLOSE_WAIT: the peer has closed its side; the program has not closed its own. */
    private static final String CLOSE_WAIT = "08";
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

    /**
     * The live TCP connections whose local port is one of {@code ports} (accepted ones carry
     * their listener's). A connection whose peer has closed its side (CLOSE_WAIT) comes with its
     * queues, tx_queue and rx_queue (proc(5)): what the program has yet to send and to read.
     */
    public static List<HeldSockets.Connection> tcpConnectionsOn(Set<Integer> ports) {
        List<HeldSockets.Connection> connections = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            for (String[] f : rows(table)) {
                if (f.length <= 9 || !f[1].contains(":") || NOT_CONNECTED.contains(f[3])) {
                    continue;
                }
                String[] local = f[1].split(":");
                int port = Integer.parseInt(local[1], 16);
                if (!ports.contains(port)) {
                    continue;
                }
                boolean peerClosed = f[3].equals(CLOSE_WAIT);
                String[] queues = f[4].split(":");
                connections.add(new HeldSockets.Connection(inet(local[0], port), Long.parseLong(f[9]), peerClosed,
                        peerClosed ? Long.parseLong(queues[0], 16) : 0, peerClosed ? Long.parseLong(queues[1], 16) : 0));
            }
        }
        return connections;
    }

    /** An address as the tables write it: 32-bit words in hex, each in the machine's (little-endian) byte order. */
    private static ListenAddress.Inet inet(String hex, int port) {
        byte[] address = new byte[hex.length() / 2];
        for (int word = 0; word < address.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int at = word * 8 + (3 - i) * 2;
                address[word * 4 + i] = (byte) Integer.parseInt(hex.substring(at, at + 2), 16);
            }
        }
        return new ListenAddress.Inet(address.length == 4 ? Family.INET : Family.INET6, address, port);
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
