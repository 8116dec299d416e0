package bandaid.broker;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.HandoffSocket;
import bandaid.nativeaccess.JournalSocket;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SignalQueue;
import bandaid.nativeaccess.SyscallException;
import bandaid.service.Environment;
import bandaid.service.FdAccess;
import bandaid.service.Log;
import bandaid.socket.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.TreeMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bandaid broker}: one bandaid for the whole host. Each wrapper started with --broker hands
 * it its program's seccomp listener and passed sockets and becomes the program; the broker answers
 * the program's trapped calls from then on, as the wrapper would have, until no process of it is
 * left. Anyone on the host may connect: the broker knows each one by the kernel's word
 * (SO_PEERCRED), acts only through what that one handed over, keeps per-uid limits, and gives
 * each service a thread of its own, so one service's program never delays another's answers.
 */
public final class Broker {
    /** The most services one uid may have the broker answer for at once. */
    static final int MOST_SERVICES_PER_UID = 512;
    /** The most fds one uid's services may have the broker hold at once. */
    static final int MOST_FDS_PER_UID = 8192;
    /** The most handoffs being read at once, and per uid: a client that connects and says nothing holds one slot. */
    static final int MOST_HANDSHAKES = 64;
    static final int MOST_HANDSHAKES_PER_UID = 8;
    /** How long a client has to send its handoff once connected. */
    static final Duration HANDSHAKE_WITHIN = Duration.ofSeconds(5);

    private final FdAccess access;
    private final FdStore store;
    /** Where the lines about services go when their stderr was the journal; one for all. */
    private final Optional<JournalSocket> journal;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Tenant> tenants = new ConcurrentHashMap<>();
    private final AtomicInteger handshakes = new AtomicInteger();
    private final Map<Integer, AtomicInteger> handshakesByUid = new ConcurrentHashMap<>();

    private Broker(FdAccess access, FdStore store, Optional<JournalSocket> journal) {
        this.access = access;
        this.store = store;
        this.journal = journal;
    }

    /**
     * @param listenAt the socket to make and listen on where no service manager passed one
     */
    public record Options(Optional<Path> listenAt) {
    }

    /** Serves until killed; returns only when the socket breaks. */
    public static int run(Environment env, Options options) throws BandaidException {
        ListenEnvironment listen = ListenEnvironment.parse(env.variables(), Processes.ownPid());
        Map<String, Integer> passed = new LinkedHashMap<>();
        for (int i = 0; i < listen.count(); i++) {
            Fds.setCloseOnExec(listen.fd(i));
            passed.put(listen.names().get(i), listen.fd(i));
        }
        HandoffSocket socket = socket(passed, options);
        FdStore store = FdStore.of(env);
        // Before anything is said to be ready: from then on the broker may be stopped, and its
        // jar may be rebuilt underneath it.
        endOnTerm(store);
        Broker broker = new Broker(FdAccess.here(), store, Optional.of(JournalSocket.open()));
        int recovered = broker.recover(passed);
        if (!store.present()) {
            Log.info("no service manager keeps the services' fds (NOTIFY_SOCKET is not set): a broker that ends leaves"
                    + " its services' calls unanswered");
        }
        Log.info("the bandaid broker takes handoffs (pid {}){}", Processes.ownPid(),
                recovered == 0 ? "" : "; " + recovered + " service(s) taken over from the fd store");
        store.ready("answering " + recovered + " service(s)");
        broker.serve(socket);
        return ExitCode.SOFTWARE.code();
    }

    /**
     * SIGTERM (systemctl stop or restart) and SIGINT end the broker at once: there is nothing to
     * finish first. Everything it holds waits in the fd store, calls made meanwhile wait in the
     * kernel for the next broker, and the one call a reader may be in the middle of waits in its
     * ledger (launch.sh starts the JVM with these signals blocked, for this signalfd).
     */
    private static void endOnTerm(FdStore store) {
        List<String> blocked = SignalQueue.blocked(List.of("TERM", "INT"));
        if (blocked.isEmpty()) {
            return;
        }
        SignalQueue signals = SignalQueue.open(blocked);
        // The stop comes long after the start, when the jar may no longer be the one this JVM
        // opened (rebuilt in place in a checkout): the stop path loads nothing of it then
        // (SignalQueue loads what take() returns when opened; no lambda is spun here), and the
        // broker halts whatever fails on the way, since with TERM and INT blocked nothing else
        // would end it.
        int broken = ExitCode.SOFTWARE.code();
        Thread.ofPlatform().name("bandaid-signals").daemon().start(() -> {
            Optional<SignalQueue.Received> received;
            try {
                received = signals.take();
            } catch (RuntimeException e) {
                Log.error("the broker's signals cannot be read ({}): it ends, since it could not be stopped", e.getMessage());
                Runtime.getRuntime().halt(broken);
                return;
            }
            try {
                store.stopping();
                Log.info("the bandaid broker stops (signal {}); its services wait for the next one",
                        received.isPresent() ? received.get().signal() : 0);
            } finally {
                Runtime.getRuntime().halt(0);
            }
        });
    }

    /**
     * The listening socket systemd passed (bandaid-broker.socket, FileDescriptorName=broker), or
     * one of bandaid's own at --listen. The other passed fds are services in the fd store.
     */
    private static HandoffSocket socket(Map<String, Integer> passed, Options options) throws BandaidException {
        Integer named = passed.remove("broker");
        if (named == null && passed.size() == 1 && passed.containsKey("unknown")) {
            named = passed.remove("unknown");
        }
        if (named != null) {
            return HandoffSocket.ofListening(named);
        }
        if (options.listenAt().isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "the broker needs its socket: run it from bandaid-broker.socket"
                    + " (bandaid broker --units writes the pair), or give --listen=PATH");
        }
        try {
            return HandoffSocket.listenAt(options.listenAt().get().toString().getBytes(StandardCharsets.UTF_8), 128);
        } catch (SyscallException e) {
            throw new BandaidException(ExitCode.UNAVAILABLE, "cannot listen at " + options.listenAt().get() + ": " + e.getMessage());
        }
    }

    /**
     * Takes over the services a broker before this one kept in the fd store: their fds came back
     * under their names (LISTEN_FDNAMES), their ledgers say the rest. What cannot be taken over
     * is given back, here and in the store.
     *
     * @return how many were
     */
    private int recover(Map<String, Integer> kept) {
        Map<Long, Map<String, Integer>> services = new TreeMap<>();
        kept.forEach((name, fd) -> {
            int dot = name.indexOf('.');
            try {
                long id = Long.parseLong(name.substring(1, Math.max(dot, 1)));
                if (!name.startsWith("s") || dot < 0) {
                    throw new NumberFormatException(name);
                }
                services.computeIfAbsent(id, i -> new LinkedHashMap<>()).put(name.substring(dot + 1), fd);
            } catch (RuntimeException e) {
                Log.warn("the fd store holds {}, which is no service's: dropped", name);
                Fds.close(fd, name);
                store.forget(name);
            }
        });
        int taken = 0;
        for (Map.Entry<Long, Map<String, Integer>> service : services.entrySet()) {
            ids.accumulateAndGet(service.getKey(), Math::max);
            if (takeOver(service.getKey(), service.getValue())) {
                taken++;
            }
        }
        return taken;
    }

    private boolean takeOver(long id, Map<String, Integer> fds) {
        String prefix = Tenant.prefix(id);
        Integer ledgerFd = fds.remove(Tenant.LEDGER);
        Optional<Ledger> ledger = ledgerFd == null ? Optional.empty() : Ledger.of(ledgerFd);
        try {
            if (ledger.isEmpty()) {
                throw new IllegalArgumentException("no ledger");
            }
            byte[] bytes = ledger.get().handoff();
            Handoff handoff = Handoff.decode(bytes);
            List<Integer> order = new ArrayList<>();
            order.add(required(fds, Tenant.LISTENER));
            // systemd drops a stored fd that reports POLLHUP or POLLERR: a stderr whose reader went
            // (a pipe) may be gone while the service lives on; its lines then go nowhere.
            Integer stderr = fds.remove(Tenant.STDERR);
            order.add(stderr == null ? TenantLines.NOWHERE : stderr);
            for (int i = 0; i < handoff.names().size(); i++) {
                order.add(required(fds, Tenant.SOCKET + i));
            }
            HandoffSocket.Peer peer = new HandoffSocket.Peer(ledger.get().pid(), ledger.get().uid(), ledger.get().gid());
            String service = serviceName(peer) + " (" + handoff.program() + ")";
            Tenant tenant = Tenant.take(id, peer, bytes, handoff, order, access, service, store, journal, ledger);
            tenants.put(id, tenant);
            tenant.start(() -> tenants.remove(id));
            fds.forEach((role, fd) -> {
                Fds.close(fd, prefix + role);
                store.forget(prefix + role);
            });
            Log.debug("took over {} from the fd store as service {}", service, id);
            return true;
        } catch (IllegalArgumentException | BandaidException e) {
            Log.warn("the fd store's service {} cannot be taken over ({}): its fds are dropped", id, e.getMessage());
            fds.forEach((role, fd) -> {
                Fds.close(fd, prefix + role);
                store.forget(prefix + role);
            });
            ledger.ifPresent(Ledger::close);
            if (ledgerFd != null) {
                store.forget(prefix + Tenant.LEDGER);
            }
            return false;
        }
    }

    private static int required(Map<String, Integer> fds, String role) {
        Integer fd = fds.remove(role);
        if (fd == null) {
            throw new IllegalArgumentException("its " + role + " is not in the store");
        }
        return fd;
    }

    private void serve(HandoffSocket socket) {
        while (true) {
            HandoffSocket client;
            try {
                client = socket.accept();
            } catch (SyscallException e) {
                Log.error("the broker's socket broke: {}", e.getMessage());
                return;
            }
            admit(client);
        }
    }

    /** A connection is read on a thread of its own, within the handshake limits; past them, refused at once. */
    private void admit(HandoffSocket client) {
        HandoffSocket.Peer peer = client.peer();
        AtomicInteger ofUid = handshakesByUid.computeIfAbsent(peer.uid(), uid -> new AtomicInteger());
        // Both counted before either is compared, as both are given back below.
        int all = handshakes.incrementAndGet();
        int own = ofUid.incrementAndGet();
        if (all > MOST_HANDSHAKES || own > MOST_HANDSHAKES_PER_UID) {
            handshakes.decrementAndGet();
            ofUid.decrementAndGet();
            // Told at info level: bandaid asks again a moment later (Handover), so a boot that
            // starts many services of one uid at once has every one taken, and is no warning.
            String why = Handoff.BUSY + " (at most " + MOST_HANDSHAKES_PER_UID + " per uid, " + MOST_HANDSHAKES + " in all): try again";
            Log.info("refused a handoff from pid {} (uid {}) for now: {}", peer.pid(), peer.uid(), why);
            send(client, Handoff.REFUSED + why);
            client.close();
            return;
        }
        Thread.ofPlatform().name("bandaid-handoff").daemon().start(() -> {
            try {
                take(client, peer);
            } finally {
                handshakes.decrementAndGet();
                ofUid.decrementAndGet();
            }
        });
    }

    private void take(HandoffSocket client, HandoffSocket.Peer peer) {
        HandoffSocket.Message message;
        try {
            client.timeOutAfter(HANDSHAKE_WITHIN);
            message = client.receive(Handoff.MOST_BYTES);
        } catch (SyscallException e) {
            refuse(client, peer, e.errno() == bandaid.socket.Errno.EAGAIN ? "no handoff within " + HANDSHAKE_WITHIN.toSeconds() + " s"
                    : "the handoff could not be read: " + e.getMessage());
            return;
        }
        if (message.bytes().length == 0 && message.fds().isEmpty() && !message.truncated()) {
            // The client closed without a word (or sent an empty message): a wrapper connects
            // first and closes when it then finds its own options or sockets wrong, which it
            // says itself. Nothing to take, and nothing hostile to warn about.
            Log.debug("pid {} (uid {}) closed the connection without a handoff", peer.pid(), peer.uid());
            send(client, Handoff.REFUSED + "no handoff (an empty message)");
            client.close();
            return;
        }
        try {
            if (message.truncated()) {
                throw new IllegalArgumentException("more than " + Handoff.MOST_BYTES + " bytes, or more fds than one message carries");
            }
            byte[] bytes = message.bytes();
            Handoff handoff = Handoff.decode(bytes);
            String limit = overLimit(peer.uid(), Handoff.FIRST_SOCKET + handoff.names().size());
            if (limit != null) {
                throw new IllegalArgumentException(limit);
            }
            long id = ids.incrementAndGet();
            String service = serviceName(peer) + " (" + handoff.program() + ")";
            Tenant tenant = Tenant.take(id, peer, bytes, handoff, message.fds(), access, service, store, journal, Optional.empty());
            tenants.put(id, tenant);
            // Said before the reader starts: the service may end at once (its wrapper killed while
            // it waits for the answer), and its end is said after its start.
            Log.debug("took {} from pid {} (uid {}) as service {}", service, peer.pid(), peer.uid(), id);
            tenant.start(() -> tenants.remove(id));
            send(client, Handoff.TAKEN);
        } catch (IllegalArgumentException e) {
            message.fds().forEach(fd -> Fds.close(fd, "fd of a refused handoff"));
            refuse(client, peer, "not a handoff bandaid " + version() + " takes: " + e.getMessage());
            return;
        } catch (BandaidException e) {
            refuse(client, peer, e.getMessage());
            return;
        }
        client.close();
    }

    /** Why a uid may not have one more service of {@code fds} fds, or null when it may. */
    private String overLimit(int uid, int fds) {
        List<Tenant> own = tenants.values().stream().filter(t -> t.uid() == uid).toList();
        if (own.size() >= MOST_SERVICES_PER_UID) {
            return "uid " + uid + " has " + own.size() + " services at the broker already, the most it takes";
        }
        int held = own.stream().mapToInt(Tenant::fds).sum();
        if (held + fds > MOST_FDS_PER_UID) {
            return "uid " + uid + "'s services would hold more than " + MOST_FDS_PER_UID + " fds at the broker";
        }
        return null;
    }

    /** The unit the client runs in (the last part of its cgroup), or its pid where it has none. */
    private static String serviceName(HandoffSocket.Peer peer) {
        return Processes.cgroup(peer.pid()).map(path -> path.substring(path.lastIndexOf('/') + 1))
                .filter(name -> !name.isEmpty()).orElse("pid " + peer.pid());
    }

    private static void refuse(HandoffSocket client, HandoffSocket.Peer peer, String why) {
        Log.warn("refused a handoff from pid {} (uid {}): {}", peer.pid(), peer.uid(), Bytes.oneLine(why));
        send(client, Handoff.REFUSED + why);
        client.close();
    }

    private static void send(HandoffSocket client, String text) {
        try {
            client.send(text.getBytes(StandardCharsets.UTF_8), List.of());
        } catch (SyscallException e) {
            Log.debug("the client went before the answer: {}", e.getMessage());
        }
    }

    private static String version() {
        String v = Broker.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
