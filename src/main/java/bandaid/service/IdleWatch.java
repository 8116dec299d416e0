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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code --exit-idle-time}: stops the program when no passed socket has been in use for the given
 * time (a connection queued or held, a datagram queued or read), like systemd-socket-proxyd's
 * option; systemd keeps the sockets and starts it again on the next connection or datagram.
 * bandaid is not in the data path, so it looks a few times per period, at the sockets the
 * program's processes hold (ARCHITECTURE.md, "Counting connections"). How it asks depends on
 * {@link FdAccess}: a duplicate (pidfd_getfd(2)), else its own namespace's /proc/net tables
 * (proc(5)), else any TCP or unix stream socket counts (README.md, "Requirements and limitations").
 */
public final class IdleWatch {
    /** How connections are found, chosen once at start. */
    enum Look { DUPLICATES, OWN_TABLES, PROTOCOL_NAMES }

    private final Set<Integer> ports = new HashSet<>();
    private final Set<ListenAddress.Unix> unixAddresses = new HashSet<>();
    /** The unix addresses as /proc/net/unix shows them: @ for abstract. */
    private final Set<String> unixPaths = new HashSet<>();
    /** The passed sockets that take connections: stream and seqpacket. */
    private final List<PassedSocket> watched;
    /** The passed inet datagram sockets, and the stamp of the last datagram read from each at the last look. */
    private final List<PassedSocket> datagrams;
    private final long[] lastRead;
    /** The datagram sockets whose program asks for receive timestamps: said once each. */
    private final Set<Integer> stampsTaken = new HashSet<>();
    /** Whether a process whose fds bandaid may not list has been warned of. */
    private boolean unlistedSaid;
    /** The unread bytes of each connection whose client has closed its side, by inode, at the last look. */
    private Map<Long, Long> unreadBefore = new HashMap<>();
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
        this.watched = passed.stream().filter(IdleWatch::takesConnections).toList();
        this.datagrams = passed.stream().filter(IdleWatch::countedDatagrams).toList();
        this.lastRead = new long[datagrams.size()];
        for (PassedSocket p : watched) {
            if (p.address() instanceof ListenAddress.Inet inet) {
                ports.add(inet.port());
            } else if (p.address() instanceof ListenAddress.Unix unix) {
                unixAddresses.add(unix);
                unixPaths.add(unix.toString());
            }
        }
    }

    /** Whether any passed socket's use can be counted: one taking connections or an inet datagram socket. */
    public static boolean watchesAnything(List<PassedSocket> passed) {
        return passed.stream().anyMatch(p -> takesConnections(p) && !(p.address() instanceof ListenAddress.Unsupported)
                || countedDatagrams(p));
    }

    /**
     * A passed socket whose use bandaid cannot count, so that --exit-idle-time would stop the
     * program in the middle of its traffic: a unix datagram socket, whose datagrams leave no
     * trace bandaid can read (the kernel keeps no receive stamp for them, unlike for UDP).
     */
    public static Optional<PassedSocket> uncountable(List<PassedSocket> passed) {
        return passed.stream().filter(p -> p.type() == SocketType.DGRAM && p.family() == Family.UNIX).findFirst();
    }

    private static boolean takesConnections(PassedSocket p) {
        return p.type() == SocketType.STREAM || p.type() == SocketType.SEQPACKET;
    }

    private static boolean countedDatagrams(PassedSocket p) {
        return p.type() == SocketType.DGRAM && (p.family() == Family.INET || p.family() == Family.INET6);
    }

    /** Watches on a daemon thread; runs {@code onIdle} once, when the limit has passed without a connection. */
    public void start(Runnable onIdle) {
        long step = Math.clamp(limit.toMillis() / 10, 100, 1000);
        Look look = chooseLook();
        Set<Long> ownSockets = new HashSet<>(HeldSockets.of(Processes.ownPid()).values());
        for (int i = 0; i < datagrams.size(); i++) {
            // The first ask turns the stamping on; what is read from now on moves it.
            lastRead[i] = Sockets.lastDatagramRead(datagrams.get(i).fd());
        }
        Thread.ofPlatform().name("bandaid-idle").daemon().start(() -> {
            long lastSeen = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(step);
                } catch (InterruptedException e) {
                    return;
                }
                if (inUse(look, ownSockets)) {
                    lastSeen = System.nanoTime();
                } else if (System.nanoTime() - lastSeen >= limit.toNanos()) {
                    String what = datagrams.isEmpty() ? "connection" : watched.isEmpty() ? "datagram" : "connection or datagram";
                    lines.info("No {} for {}: stopping the program (--exit-idle-time); the next {} starts it again",
                            what, limit.toString().substring(2).toLowerCase(), what);
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
     * looks is seen in the second. Datagrams first: they cost bandaid's own fds only.
     */
    private boolean inUse(Look look, Set<Long> ownSockets) {
        if (datagramsRead()) {
            return true;
        }
        if (watched.stream().anyMatch(p -> p.listening() && Sockets.hasPending(p.fd()))) {
            return true;
        }
        Map<Long, Long> unread = new HashMap<>();
        try {
            return switch (look) {
                case OWN_TABLES -> !ports.isEmpty() && NetTables.tcpConnectionsOn(ports).stream().anyMatch(c -> inUse(c, unread))
                        || !unixPaths.isEmpty() && NetTables.unixConnectedOn(unixPaths);
                case DUPLICATES, PROTOCOL_NAMES -> processes.get().stream().anyMatch(pid -> holdsConnection(pid, look, ownSockets, unread));
            };
        } finally {
            unreadBefore = unread;
        }
    }

    /**
     * Whether a passed datagram socket has a datagram waiting, or one was read from it since the
     * last look; one whose program takes the receive stamps itself counts as in use all along.
     */
    private boolean datagramsRead() {
        boolean read = false;
        for (int i = 0; i < datagrams.size(); i++) {
            PassedSocket p = datagrams.get(i);
            long stamp = Sockets.lastDatagramRead(p.fd());
            if (stamp != lastRead[i] || Sockets.hasPending(p.fd())) {
                lastRead[i] = stamp;
                read = true;
            } else if (Sockets.asksReceiveTimestamps(p.fd())) {
                if (stampsTaken.add(p.fd())) {
                    lines.warn("--exit-idle-time: the program asks for receive timestamps on passed {} (SO_TIMESTAMP), which hides"
                            + " from bandaid when it reads a datagram: that socket counts as in use all along", p.describe());
                }
                read = true;
            }
        }
        return read;
    }

    /**
     * A connection is in use until its client has closed its side; then only while the program
     * still has data in it to send, or reads what the client sent (fewer unread bytes than at the
     * last look; a connection first seen so counts once).
     */
    private boolean inUse(HeldSockets.Connection c, Map<Long, Long> unread) {
        if (!c.peerClosed() || c.unsent() > 0) {
            return true;
        }
        unread.put(c.inode(), c.unread());
        Long before = unreadBefore.get(c.inode());
        return c.unread() > 0 && (before == null || before != c.unread());
    }

    /** Whether a process of the program holds a connection in use to a passed socket, stopping at the first. */
    private boolean holdsConnection(long pid, Look look, Set<Long> ownSockets, Map<Long, Long> unread) {
        Map<Integer, Long> sockets;
        try {
            sockets = HeldSockets.of(pid);
        } catch (SyscallException refused) {
            // Unseen connections may be in use: never stop a program bandaid cannot look at.
            if (!unlistedSaid) {
                unlistedSaid = true;
                lines.warn("--exit-idle-time: {}: {}; its connections cannot be counted, so it is never stopped as idle."
                        + " A non-dumpable program's fd directory is root's: give bandaid CAP_DAC_READ_SEARCH and CAP_SYS_PTRACE"
                        + " (AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH)", Processes.name(pid).orElse("the program")
                        + "[" + pid + "]", refused.getMessage());
            }
            return true;
        }
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
            for (Map.Entry<Integer, Long> socket : sockets.entrySet()) {
                Optional<HeldSockets.Connection> c = HeldSockets.connection(pidfd.getAsInt(), socket.getKey(), socket.getValue());
                if (c.isPresent() && isPassedAddress(c.get().local()) && inUse(c.get(), unread)) {
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
            Optional<SocketKind> kind;
            try {
                kind = CallerSockets.kindByName((int) pid, fd);
            } catch (SyscallException refused) {
                continue; // not bandaid's to look at: HeldSockets.of could not list it either
            }
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
