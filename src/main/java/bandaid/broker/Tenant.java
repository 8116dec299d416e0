package bandaid.broker;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.activation.PassedSockets;
import bandaid.matching.MapRule;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.HandoffSocket;
import bandaid.nativeaccess.JournalSocket;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.Signals;
import bandaid.nativeaccess.SyscallException;
import bandaid.service.CallReader;
import bandaid.service.CallerLook;
import bandaid.service.FdAccess;
import bandaid.service.IdleWatch;
import bandaid.service.KernelInspector;
import bandaid.service.Log;
import bandaid.service.Setup;
import bandaid.socket.PassedSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One service the broker answers for: the seccomp listener and the passed sockets its wrapper
 * handed over, the rules its options make, a reader of its own (a platform thread: one service's
 * slow or hostile program holds up its own calls only), its lines, and its ledger. Everything it
 * holds waits in the fd store too, under names that begin with its id, so that the next broker
 * takes it over. It ends when no process is left under its filter, and then gives every fd back.
 */
final class Tenant {
    /** The fd store's names for one service's fds: "s7.listener", "s7.stderr", "s7.socket0", "s7.ledger". */
    static final String LISTENER = "listener";
    static final String STDERR = "stderr";
    static final String SOCKET = "socket";
    static final String LEDGER = "ledger";
    /** How long a program stopped for being idle has after SIGTERM, as in wrapper mode. */
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private final long id;
    private final int uid;
    private final Handoff handoff;
    private final SeccompListener listener;
    private final List<PassedSocket> passed;
    private final TenantLines lines;
    private final Ledger ledger;
    private final CallReader reader;
    private final FdStore store;
    private final Optional<IdleWatch> idle;
    private final Supplier<List<Long>> processes;

    private Tenant(long id, int uid, Handoff handoff, SeccompListener listener, List<PassedSocket> passed, TenantLines lines,
                   Ledger ledger, CallReader reader, FdStore store, Optional<IdleWatch> idle, Supplier<List<Long>> processes) {
        this.idle = idle;
        this.processes = processes;
        this.id = id;
        this.uid = uid;
        this.handoff = handoff;
        this.listener = listener;
        this.passed = passed;
        this.lines = lines;
        this.ledger = ledger;
        this.reader = reader;
        this.store = store;
    }

    /** The prefix of this service's names in the fd store. */
    static String prefix(long id) {
        return "s" + id + ".";
    }

    /**
     * Takes what a wrapper handed over, looking at every fd itself: the first must be a seccomp
     * listener, the passed ones listening sockets (or datagram ones), as in wrapper mode. On any
     * refusal every fd that came is closed.
     *
     * @param fds       the fds as they came, in {@link Handoff}'s order
     * @param recovered the ledger, when this takes over a service from the fd store (its fds are
     *                  kept there already); empty for a new handoff
     * @throws BandaidException why the handoff is refused, in the words the wrapper would use
     */
    static Tenant take(long id, HandoffSocket.Peer peer, byte[] handoffBytes, Handoff handoff, List<Integer> fds, FdAccess access,
                       String service, FdStore store, Optional<JournalSocket> journal, Optional<Ledger> recovered) throws BandaidException {
        List<Integer> open = new ArrayList<>(fds);
        SeccompListener listener = null;
        Ledger ledger = recovered.orElse(null);
        try {
            if (fds.size() != handoff.fds()) {
                throw refused("the handoff names " + handoff.names().size() + " passed sockets but came with " + fds.size()
                        + " fds (" + Handoff.FIRST_SOCKET + " more are the listener and stderr)");
            }
            open.removeFirst(); // handedOver owns it from here, and closes it when it refuses it
            try {
                listener = SeccompListener.handedOver(fds.getFirst());
            } catch (SyscallException e) {
                throw refused("its first fd is not a seccomp listener");
            }
            List<PassedSocket> passed = new ArrayList<>();
            for (int i = 0; i < handoff.names().size(); i++) {
                int fd = fds.get(Handoff.FIRST_SOCKET + i);
                // Named by the fd the wrapper was passed it as (LISTEN_FDS order), not this copy's number.
                passed.add(PassedSockets.checked(fd, ListenEnvironment.FIRST_FD + i, handoff.names().get(i), KernelInspector.inspect(fd)));
            }
            List<MapRule> maps = new ArrayList<>();
            for (String map : handoff.maps()) {
                maps.add(MapRule.parse(map));
            }
            Setup setup = Setup.of(passed, handoff.match(), maps, handoff.strict(), handoff.exitIdle());
            if (ledger == null) {
                ledger = Ledger.create(id, peer.pid(), peer.uid(), peer.gid(), serviceCgroup(peer.pid()), handoffBytes);
            }
            Ledger kept = ledger;
            Map<PassedSocket, Boolean> handedOut = new HashMap<>();
            for (int i = 0; i < passed.size(); i++) {
                int index = i;
                kept.handedOut(i).ifPresent(mode -> handedOut.put(passed.get(index), mode));
            }
            TenantLines lines = new TenantLines(fds.get(1), handoff.journal() ? journal : Optional.empty(), peer.pid(), handoff.verbose(),
                    service);
            CallReader reader = new CallReader(listener, setup.decider(handoff.strict(), handedOut,
                    (socket, nonBlocking) -> kept.handedOut(passed.indexOf(socket), nonBlocking)),
                    CallerLook.kernel(access), access, CallReader.onTheReader(), lines);
            Supplier<List<Long>> processes = processes(ledger.cgroup(), peer.pid());
            Optional<IdleWatch> idle = handoff.exitIdle().map(limit -> new IdleWatch(passed, limit, access, processes, lines));
            Tenant tenant = new Tenant(id, peer.uid(), handoff, listener, passed, lines, ledger, reader, store, idle, processes);
            if (recovered.isEmpty()) {
                tenant.keepInStore(fds);
            }
            open.clear();
            return tenant;
        } catch (BandaidException | RuntimeException e) {
            open.stream().filter(fd -> fd != TenantLines.NOWHERE).forEach(fd -> Fds.close(fd, "fd of a refused handoff"));
            if (listener != null) {
                listener.close();
            }
            if (ledger != null && recovered.isEmpty()) {
                ledger.close();
            }
            if (e instanceof RuntimeException r) {
                throw new BandaidException(ExitCode.SOFTWARE, "the broker could not take it: " + r, r);
            }
            throw (BandaidException) e;
        }
    }

    private static BandaidException refused(String why) {
        return new BandaidException(ExitCode.CONFIG, why);
    }

    /** A duplicate of each fd into the fd store, so that the next broker finds the service. */
    private void keepInStore(List<Integer> fds) {
        String prefix = prefix(id);
        store.keep(prefix + LEDGER, ledger.fd());
        store.keep(prefix + LISTENER, listener.fd());
        if (fds.get(1) != TenantLines.NOWHERE) {
            store.keep(prefix + STDERR, fds.get(1));
        }
        for (int i = 0; i < passed.size(); i++) {
            store.keep(prefix + SOCKET + i, passed.get(i).fd());
        }
    }

    /** Starts answering; {@code ended} is told once no process is left under the filter. */
    void start(Runnable ended) {
        reader.startUntilEnd("bandaid-service-" + id, Optional.of(ledger.slot()), () -> {
            close();
            ended.run();
        }, failure -> {
            lines.error("answering the program's trapped calls failed: {}; its calls now fail with ENOSYS", failure.getMessage());
            close();
            ended.run();
        });
        idle.ifPresent(watch -> watch.start(this::stop));
        lines.debug("the bandaid broker answers {}'s trapped calls (service {}, uid {})", handoff.program(), id, uid);
    }

    /**
     * The cgroup that is the service's own: one the handing-over process is alone in, as systemd
     * starts a service's ExecStart= in a cgroup of its own. A bandaid started from a shell shares
     * its login session's scope with every other process there, which a stop must never reach.
     */
    private static Optional<String> serviceCgroup(int pid) {
        return Processes.cgroup(pid).filter(cgroup -> !cgroup.equals("/") && Processes.inCgroup(cgroup).equals(List.of((long) pid)));
    }

    /**
     * The service's processes: its cgroup's (systemd gives each service one), or, where it has
     * none of its own, the program and what it started.
     */
    private static Supplier<List<Long>> processes(Optional<String> cgroup, int pid) {
        if (cgroup.isPresent() && !cgroup.get().equals("/")) {
            return () -> Processes.inCgroup(cgroup.get());
        }
        return () -> Processes.withDescendants(pid);
    }

    /**
     * --exit-idle-time: SIGTERM to every process of the service, as systemd's own stop does, so
     * the unit's main process, the program, ends by SIGTERM, a clean stop; SIGKILL to what still
     * runs after the grace. systemd starts it again on the next connection.
     */
    private void stop() {
        int term = Signals.number("TERM");
        processes.get().forEach(pid -> Processes.signal(pid, term));
        Thread.ofPlatform().name("bandaid-stop-" + id).daemon().start(() -> {
            long deadline = System.nanoTime() + STOP_GRACE.toNanos();
            while (System.nanoTime() < deadline && !processes.get().isEmpty()) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            List<Long> left = processes.get();
            if (!left.isEmpty()) {
                lines.warn("the program did not stop within {} s of SIGTERM: SIGKILL", STOP_GRACE.toSeconds());
                int kill = Signals.number("KILL");
                left.forEach(pid -> Processes.signal(pid, kill));
            }
        });
    }

    long id() {
        return id;
    }

    int uid() {
        return uid;
    }

    /** The fds it holds: the listener, the service's stderr, the passed sockets and the ledger. */
    int fds() {
        return Handoff.FIRST_SOCKET + passed.size() + 1;
    }

    /** Gives every fd back, here and in the fd store. */
    private void close() {
        // As wrapper mode's -v ends, before the broker's own line says the service ended.
        lines.debug("The program made {} trapped call(s).", reader.received());
        Log.debug("service {} ({}) ended after {} trapped call(s)", id, handoff.program(), reader.received());
        String prefix = prefix(id);
        store.forget(prefix + LISTENER);
        store.forget(prefix + STDERR);
        for (int i = 0; i < passed.size(); i++) {
            store.forget(prefix + SOCKET + i);
        }
        store.forget(prefix + LEDGER);
        listener.close();
        passed.forEach(p -> Fds.close(p.fd(), "passed socket " + p.describe()));
        lines.close();
        ledger.close();
    }
}
