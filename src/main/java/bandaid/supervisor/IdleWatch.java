package bandaid.supervisor;

import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tinylog.Logger;

/**
 * {@code --exit-idle-time}: stops the program when no connection to any passed stream socket
 * has existed for the given time, like systemd-socket-proxyd's option of that name; systemd
 * starts it again on the next connection, since it keeps the listening sockets.
 *
 * <p>bandaid is not in the data path, so it looks at the kernel's socket tables instead
 * (/proc/net/tcp, tcp6 and unix, proc(5)) a few times per period: a connection shorter than the
 * gap between two looks can go unseen, which at worst stops the program one look early.
 */
final class IdleWatch {
    /** st column of /proc/net/tcp: 0A LISTEN, 06 TIME_WAIT, 07 CLOSE (include/net/tcp_states.h): not a live connection. */
    private static final Set<String> NOT_CONNECTED = Set.of("0A", "06", "07");
    /** St column of /proc/net/unix: 03 SS_CONNECTED. */
    private static final String UNIX_CONNECTED = "03";

    private final Set<Integer> ports = new HashSet<>();
    private final Set<String> paths = new HashSet<>();
    private final Duration limit;

    IdleWatch(List<PassedSocket> passed, Duration limit) {
        this.limit = limit;
        for (PassedSocket p : passed) {
            if (p.type() != SocketType.STREAM) {
                continue;
            }
            switch (p.address()) {
                case ListenAddress.Inet inet -> ports.add(inet.port());
                case ListenAddress.Unix unix -> paths.add(unix.toString()); // as /proc/net/unix shows it: @ for abstract
                case ListenAddress.Unsupported u -> { }
            }
        }
    }

    boolean watchesAnything() {
        return !ports.isEmpty() || !paths.isEmpty();
    }

    /** Watches on a daemon thread; runs {@code onIdle} once, when the limit has passed without a connection. */
    void start(Runnable onIdle) {
        long step = Math.clamp(limit.toMillis() / 10, 100, 1000);
        Thread.ofPlatform().name("bandaid-idle").daemon().start(() -> {
            long lastSeen = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(step);
                } catch (InterruptedException e) {
                    return;
                }
                if (connected()) {
                    lastSeen = System.nanoTime();
                } else if (System.nanoTime() - lastSeen >= limit.toNanos()) {
                    Logger.info("No connection for {}: stopping the program (--exit-idle-time); the next connection starts it again",
                            limit.toString().substring(2).toLowerCase());
                    onIdle.run();
                    return;
                }
            }
        });
    }

    private boolean connected() {
        return tcpConnection(Path.of("/proc/net/tcp")) || tcpConnection(Path.of("/proc/net/tcp6")) || unixConnection();
    }

    private boolean tcpConnection(Path table) {
        if (ports.isEmpty()) {
            return false;
        }
        for (String line : lines(table)) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 3 && f[1].contains(":") && !NOT_CONNECTED.contains(f[3])) {
                int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1), 16);
                if (ports.contains(port)) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean unixConnection() {
        if (paths.isEmpty()) {
            return false;
        }
        for (String line : lines(Path.of("/proc/net/unix"))) {
            String[] f = line.trim().split("\\s+");
            if (f.length > 7 && f[5].equals(UNIX_CONNECTED) && paths.contains(f[7])) {
                return true;
            }
        }
        return false;
    }

    private static List<String> lines(Path table) {
        try {
            List<String> all = Files.readAllLines(table);
            return all.isEmpty() ? all : all.subList(1, all.size());
        } catch (IOException e) {
            return List.of();
        }
    }
}
