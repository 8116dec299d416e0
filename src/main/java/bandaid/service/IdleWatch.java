package bandaid.service;

import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.HeldSockets;
import bandaid.nativeaccess.NetTables;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.Sockets;
import bandaid.nativeaccess.SyscallException;
import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code --exit-idle-time}: stops the program when no connection to any passed stream socket has
 * existed for the given time, like systemd-socket-proxyd's option; systemd keeps the listening
 * sockets and starts it again on the next connection. bandaid is not in the data path, so it
 * looks a few times per period, at the sockets the program's processes hold (ARCHITECTURE.md,
 * "Counting connections"). How it asks depends on {@link FdAccess}: a duplicate
 * (pidfd_getfd(2)), else its own namespace's /proc/net tables (proc(5)), else any TCP or unix
 * stream socket counts (README.md, "Requirements and limitations").
 */
public final class IdleWatch {
    /** How connections are found, chosen once at start. */
    enum Look { DUPLICATES, OWN_TABLES, PROTOCOL_NAMES }

    private final Set<Integer> ports = new HashSet<>();
    private final Set<ListenAddress.Unix> unixAddresses = new HashSet<>();
    /** The unix addresses as /proc/net/unix shows them: @ for abstract. */
    private final Set<String> unixPaths = new HashSet<>();
    private final List<PassedSocket> watched;
    private final Duration limit;
    private final FdAccess access;

    /** The program's processes, as whoever supervises it knows them. */
    private final Supplier<List<Long>> processes;
    private final Lines lines;

    /** Watches the processes below bandaid (wrapper mode: it is their subreaper). */
    public IdleWatch(List<PassedSocket> passed, Duration limit, FdAccess access) {
        this(passed, limit, access, Processes::descendants, Lines.own());
    }

    /**
     * @param processes the program's processes (the broker: the service's cgroup)
     * @param lines     where the watch's lines go
     */
    public IdleWatch(List<PassedSocket> passed, Duration limit, FdAccess access, Supplier<List<Long>> processes, Lines lines) {
        this.processes = processes;
        this.lines = lines;
        this.limit = limit;
        this.access = access;
        this.watched = passed.stream().filter(p -> p.type() == SocketType.STREAM).toList();
        for (PassedSocket p : watched) {
            if (p.address() instanceof ListenAddress.Inet inet) {
                ports.add(inet.port());
            } else if (p.address() instanceof ListenAddress.Unix unix) {
                unixAddresses.add(unix);
                unixPaths.add(unix.toString());
            }
        }
    }

    /** Whether any passed socket can have connections to count: a stream socket of a family bandaid reads. */
    public static boolean watchesAnything(List<PassedSocket> passed) {
        return passed.stream().anyMatch(p -> p.type() == SocketType.STREAM && !(p.address() instanceof ListenAddress.Unsupported));
    }

    /** Watches on a daemon thread; runs {@code onIdle} once, when the limit has passed without a connection. */
    public void start(Runnable onIdle) {
        long step = Math.clamp(limit.toMillis() / 10, 100, 1000);
        Look look = chooseLook();
        Set<Long> ownSockets = new HashSet<>(HeldSockets.of(Processes.ownPid()).values());
        Thread.ofPlatform().name("bandaid-idle").daemon().start(() -> {
            long lastSeen = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(step);
                } catch (InterruptedException e) {
                    return;
                }
                if (connected(look, ownSockets)) {
                    lastSeen = System.nanoTime();
                } else if (System.nanoTime() - lastSeen >= limit.toNanos()) {
                    lines.info("No connection for {}: stopping the program (--exit-idle-time); the next connection starts it again",
                            limit.toString().substring(2).toLowerCase());
                    onIdle.run();
                    return;
                }
            }
        });
    }

    private Look chooseLook() {
        if (access.byDuplicate()) {
            lines.debug("--exit-idle-time: connections are counted on the program's own sockets (pidfd_getfd)");
            return Look.DUPLICATES;
        }
        if (inOwnNamespace()) {
            lines.debug("--exit-idle-time: connections are counted in bandaid's network namespace (/proc/net)");
            return Look.OWN_TABLES;
        }
        lines.warn("--exit-idle-time: the passed sockets live in another network namespace, and {}: any {} socket the program"
                + " holds counts as a connection, its own outbound ones too (allow pidfd_getfd to count only connections to the"
                + " passed sockets)", access.why(), ports.isEmpty() ? "unix stream" : unixAddresses.isEmpty() ? "TCP" : "TCP or unix stream");
        return Look.PROTOCOL_NAMES;
    }

    /**
     * A connection waiting in a passed socket's accept queue counts (the program may still be
     * starting), then one the program holds; in that order, so that one accepted between the two
     * looks is seen in the second.
     */
    private boolean connected(Look look, Set<Long> ownSockets) {
        if (watched.stream().anyMatch(p -> p.listening() && Sockets.hasPendingConnection(p.fd()))) {
            return true;
        }
        return switch (look) {
            case OWN_TABLES -> !ports.isEmpty() && NetTables.tcpConnectedOn(ports) || !unixPaths.isEmpty() && NetTables.unixConnectedOn(unixPaths);
            case DUPLICATES, PROTOCOL_NAMES -> processes.get().stream().anyMatch(pid -> holdsConnection(pid, look, ownSockets));
        };
    }

    /** Whether a process of the program holds a connection to a passed socket, stopping at the first. */
    private boolean holdsConnection(long pid, Look look, Set<Long> ownSockets) {
        Map<Integer, Long> sockets = HeldSockets.of(pid);
        sockets.values().removeAll(ownSockets);
        if (sockets.isEmpty()) {
            return false;
        }
        if (look == Look.PROTOCOL_NAMES) {
            return byName(pid, sockets.keySet());
        }
        OptionalInt pidfd;
        try {
            pidfd = Processes.pidfdOpen(pid);
        } catch (SyscallException refused) {
            return byName(pid, sockets.keySet());
        }
        if (pidfd.isEmpty()) {
            return false; // exited meanwhile
        }
        try {
            for (int fd : sockets.keySet()) {
                if (HeldSockets.connectedStream(pidfd.getAsInt(), fd).filter(this::isPassedAddress).isPresent()) {
                    return true;
                }
            }
            return false;
        } catch (SyscallException refused) {
            // No duplicate of this process's fds (it made itself non-dumpable): its names, to be safe.
            return byName(pid, sockets.keySet());
        } finally {
            Fds.close(pidfd.getAsInt(), "pidfd of " + pid);
        }
    }

    /** A connection's local address: an accepted one carries its listener's port or unix address. */
    private boolean isPassedAddress(ListenAddress local) {
        return local instanceof ListenAddress.Inet inet ? ports.contains(inet.port())
                : local instanceof ListenAddress.Unix unix && unixAddresses.contains(unix);
    }

    /** Any stream socket of a watched family, by its protocol name: it may be a connection. */
    private boolean byName(long pid, Set<Integer> fds) {
        Set<Family> families = EnumSet.noneOf(Family.class);
        if (!ports.isEmpty()) {
            families.addAll(List.of(Family.INET, Family.INET6));
        }
        if (!unixAddresses.isEmpty()) {
            families.add(Family.UNIX);
        }
        for (int fd : fds) {
            Optional<SocketKind> kind = CallerSockets.kindByName((int) pid, fd);
            if (kind.isPresent() && kind.get().type() == SocketType.STREAM && families.contains(kind.get().family())) {
                return true;
            }
        }
        return false;
    }

    /** Whether bandaid's /proc/net lists every watched socket (by its inode): then they live in its namespace. */
    private boolean inOwnNamespace() {
        Set<Long> listed = NetTables.listedInodes();
        return watched.stream().allMatch(p -> HeldSockets.ownInode(p.fd()).stream().anyMatch(listed::contains));
    }
}
