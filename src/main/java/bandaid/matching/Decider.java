package bandaid.matching;

import bandaid.socket.CallerFd;
import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import bandaid.socket.TrappedCall;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Turns a trapped call into a {@link Decision}: the matcher's choice plus bandaid's own rules
 * (--strict, the unlink protection, the fd's flags, what to warn about). Pure: it reads nothing
 * and answers nothing, so each rule is tested without a kernel. Safe to call from many threads.
 *
 * <p>A call is decided in one step from what the reader decoded ({@link #first}), or, when that
 * is not enough, in a second step from what a closer look found ({@link #bind}, {@link #unlink}).
 */
public final class Decider {
    private final FdMatcher matcher;
    private final boolean strict;
    private final List<PassedSocket> passed;
    /** A passed socket has a path in the file system: unlink() calls are looked at. */
    private final boolean keepsPaths;
    /** O_NONBLOCK as first set on each handed-out passed socket, by fd: later handouts leave it. */
    private final Map<Integer, Boolean> modeSet = new ConcurrentHashMap<>();
    /** Warnings already given: each is said once. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();
    /** Whether an unused passed socket was pointed out already (once per run). */
    private volatile boolean unusedSaid;
    /**
     * Stream sockets the program bound itself to a listening address no passed socket has: said
     * once it listen()s on one (a stream socket that never listens is a client's).
     */
    private final Set<OwnBind> ownStreams = ConcurrentHashMap.newKeySet();
    /** The address a --map was suggested for (the unused passed socket's warning): nothing more is said of it. */
    private final Set<ListenAddress> mapSuggested = ConcurrentHashMap.newKeySet();

    /** A listening address the program bound on a socket of its own, and that socket's type. */
    private record OwnBind(ListenAddress address, SocketType type) {
    }

    /** Told of each passed socket's first handout: where it must outlive this decider (the broker's restarts). */
    private final Handouts handouts;

    public Decider(FdMatcher matcher, boolean strict, List<PassedSocket> passed) {
        this(matcher, strict, passed, Map.of(), (socket, nonBlocking) -> { });
    }

    /**
     * @param handedOut what an earlier decider for the same sockets handed out, and the mode it
     *                  set: as if this one had
     * @param handouts  told of each passed socket's first handout from now on
     */
    public Decider(FdMatcher matcher, boolean strict, List<PassedSocket> passed, Map<PassedSocket, Boolean> handedOut, Handouts handouts) {
        this.matcher = matcher;
        this.strict = strict;
        this.passed = List.copyOf(passed);
        this.keepsPaths = keepsPaths(passed);
        this.handouts = handouts;
        handedOut.forEach((socket, nonBlocking) -> {
            modeSet.put(socket.fd(), nonBlocking);
            matcher.handedOut(socket);
        });
    }

    /** Where the first handout of each passed socket is written down. */
    @FunctionalInterface
    public interface Handouts {
        void first(PassedSocket socket, boolean nonBlocking);
    }

    /** Whether any passed socket has a path in the file system, which unlink() must not remove. */
    public static boolean keepsPaths(List<PassedSocket> passed) {
        return passed.stream().anyMatch(p -> p.address() instanceof ListenAddress.Unix u && u.isPath());
    }

    /** The decision from what the reader decoded, or {@link Decision.LookCloser}. */
    public Decision first(TrappedCall call) {
        // instanceof, not a pattern switch: see ARCHITECTURE.md, "No pattern switches".
        if (call instanceof TrappedCall.Bind b) {
            return firstBind(b);
        }
        if (call instanceof TrappedCall.Socket s) {
            return socket(s);
        }
        if (call instanceof TrappedCall.Unlink u) {
            return u.removesDir() || u.path().isEmpty() || !keepsPaths
                    ? new Decision.Continue("not a passed socket's path") : new Decision.LookCloser();
        }
        if (call instanceof TrappedCall.Connect c) {
            return firstConnect(c);
        }
        if (call instanceof TrappedCall.Listen) {
            return ownStreams.isEmpty() ? new Decision.Continue("no socket of the program's own is bound to a listening address")
                    : new Decision.LookCloser();
        }
        if (call instanceof TrappedCall.IoUringSetup) {
            // EPERM is what the kernel answers with kernel.io_uring_disabled=2 (and container
            // profiles that block io_uring): programs that use io_uring fall back to plain calls.
            return strict ? new Decision.Refuse(Errno.EPERM, "--strict: a bind() through io_uring (IORING_OP_BIND) cannot be"
                    + " checked, so no io_uring, as with kernel.io_uring_disabled=2")
                    : new Decision.Continue("io_uring is not refused without --strict");
        }
        return new Decision.Continue("not a call bandaid handles");
    }

    /**
     * A connect() may reach a passed socket the program has not bound yet: a server's check
     * whether another copy of it runs there (mariadbd, pgbouncer). Only then is the caller's
     * socket looked at; once every passed socket is handed out, connects run untouched.
     */
    private Decision firstConnect(TrappedCall.Connect c) {
        if (c.address().isEmpty()) {
            return new Decision.Continue("address unreadable; the kernel answers");
        }
        if (modeSet.size() == passed.size()) {
            return new Decision.Continue("every passed socket is bound");
        }
        ListenAddress to = c.address().get();
        for (PassedSocket p : passed) {
            if (!modeSet.containsKey(p.fd()) && Probes.mayReach(p, to)) {
                return new Decision.LookCloser();
            }
        }
        return new Decision.Continue("reaches no passed socket the program has not bound yet");
    }

    /**
     * A candidate connect(), after the look at the caller's socket (and the file a unix path
     * names): refused as the kernel refuses a connect with nobody listening (ECONNREFUSED), which
     * is what the program would meet without socket activation, while the passed socket it would
     * reach has not been handed to the program; afterwards the same connect runs untouched.
     */
    public Decision connect(TrappedCall.Connect c, CallerFacts facts) {
        ListenAddress to = c.address().orElseThrow();
        if (facts.unseen().isPresent()) {
            return new Decision.Continue("bandaid may not look at fd " + c.fd() + " (" + facts.unseen().get() + "); the kernel answers");
        }
        if (facts.socket().isEmpty() || facts.socket().get().family() != to.family() && !(to.family() == Family.INET
                && facts.socket().get().family() == Family.INET6)) {
            return new Decision.Continue("fd " + c.fd() + " is not a socket of the address's family bandaid can see; the kernel answers");
        }
        SocketType type = facts.socket().get().type();
        for (PassedSocket p : passed) {
            if (!modeSet.containsKey(p.fd()) && p.type() == type && Probes.reaches(p, to, facts.file())) {
                return new Decision.Refuse(Errno.ECONNREFUSED, Errno.name(Errno.ECONNREFUSED) + ": the program has not bound passed "
                        + p.describe() + " yet; without socket activation nobody would listen there", false);
            }
        }
        return new Decision.Continue("reaches no passed socket the program has not bound yet");
    }

    /**
     * A listen() while the program has stream sockets of its own bound to listening addresses:
     * if this is one of them, the program listens where systemd holds nothing, said once.
     *
     * @param facts the caller's socket and its own address; empty when bandaid cannot tell
     */
    public Decision listen(TrappedCall.Listen l, CallerFacts facts) {
        if (facts.local().isPresent() && facts.socket().isPresent()) {
            SocketType type = facts.socket().get().type();
            for (OwnBind own : ownStreams) {
                if (own.type() == type && Addresses.sameAddress(own.address(), facts.local().get()) && ownStreams.remove(own)) {
                    return new Decision.Continue("a socket of the program's own", onceEach(List.of(Probes.listensUnpassed(own.address(), own.type()))));
                }
            }
        }
        return new Decision.Continue("not a socket the program bound to a listening address of its own");
    }

    private Decision socket(TrappedCall.Socket s) {
        Optional<PassedSocket> socket = matcher.match(new SocketCall.Create(s.family(), s.type(), s.protocol()));
        if (socket.isEmpty()) {
            return new Decision.Continue("no unclaimed passed socket of that kind");
        }
        return inject(socket.get(), Optional.empty(), s.closeOnExec(), s.nonBlocking(), new ArrayList<>());
    }

    private Decision firstBind(TrappedCall.Bind b) {
        if (b.address().isEmpty()) {
            return new Decision.Continue("address unreadable; the kernel answers");
        }
        ListenAddress address = b.address().get();
        if (matcher.couldMatch(address)) {
            return new Decision.LookCloser();
        }
        if (!strict && !address.isEphemeral()) {
            // Maybe meant for a passed socket nothing has used yet, or listening where nothing was
            // passed: a look at the socket's type tells what to say.
            return new Decision.LookCloser();
        }
        return refuseIfStrict(address, Optional.empty());
    }

    /**
     * --strict refuses a listening address no passed socket has. Otherwise the bind runs as the
     * program made it, and when a passed socket of its type is still unused, bandaid says once
     * which --map would join them: clients of the passed address would otherwise time out with
     * nothing said (a program binding 0.0.0.0:8091 while 127.0.0.1:8090 was passed).
     */
    private Decision refuseIfStrict(ListenAddress address, Optional<SocketKind> kind) {
        if (strict && !address.isEphemeral()) {
            return new Decision.Refuse(Errno.EACCES, "--strict: not an address of a passed socket");
        }
        List<String> warnings = new ArrayList<>();
        if (kind.isPresent() && !address.isEphemeral() && address instanceof ListenAddress.Inet && !unusedSaid) {
            unusedInet().stream().filter(p -> p.type() == kind.get().type()).findFirst()
                    .ifPresent(p -> {
                        unusedSaid = true;
                        mapSuggested.add(address);
                        warnings.add("binds " + address + ", which no passed socket has, while passed " + p.describe()
                                + " of that type is still unused: if it is meant for it, run bandaid with --map " + p.name() + "="
                                + address + " (or pass " + address + " in the .socket unit)");
                    });
        }
        if (kind.isPresent() && !address.isEphemeral() && warnings.isEmpty() && !mapSuggested.contains(address)) {
            // A datagram socket bound to a fixed port or a path serves there now; a stream socket
            // only once it listens (a client may bind a fixed port), so that waits for listen().
            if (kind.get().type() == SocketType.DGRAM) {
                warnings.add(Probes.listensUnpassed(address, SocketType.DGRAM));
            } else {
                ownStreams.add(new OwnBind(address, kind.get().type()));
            }
        }
        // a client's bind (the common case here) spends no stream on warnings it has none of
        return new Decision.Continue("no passed socket for that address", warnings.isEmpty() ? warnings : onceEach(warnings));
    }

    /** The passed inet sockets no call has been handed yet. */
    private List<PassedSocket> unusedInet() {
        return passed.stream().filter(p -> p.address() instanceof ListenAddress.Inet && !modeSet.containsKey(p.fd())).toList();
    }

    /** The second step of a call {@link #first} gave {@link Decision.LookCloser}, with what the look found. */
    public Decision afterLook(TrappedCall call, CallerFacts facts) {
        if (call instanceof TrappedCall.Bind b) {
            return bind(b, facts);
        }
        if (call instanceof TrappedCall.Unlink u) {
            return unlink(u, facts.file());
        }
        if (call instanceof TrappedCall.Connect c) {
            return connect(c, facts);
        }
        if (call instanceof TrappedCall.Listen l) {
            return listen(l, facts);
        }
        return new Decision.Continue("nothing to look at");
    }

    /** A candidate bind(), after the look at the caller's socket, fd and path. */
    public Decision bind(TrappedCall.Bind b, CallerFacts facts) {
        ListenAddress address = b.address().orElseThrow();
        if (facts.unseen().isPresent()) {
            // Nothing is known of the fd: it gets no passed socket, and the kernel answers as it
            // would without bandaid (the reader says once why, and what fixes it).
            return new Decision.Continue("bandaid may not look at fd " + b.fd() + " (" + facts.unseen().get() + "); the kernel answers");
        }
        if (facts.flags().isEmpty()) {
            return new Decision.Continue("fd " + b.fd() + " is not open in the caller; the kernel answers EBADF");
        }
        if (facts.socket().isEmpty()) {
            // Not a socket (stdin, a pipe: ENOTSOCK), or one bandaid cannot see: an unknown kind
            // is no match, and the kernel answers as it would without bandaid.
            return new Decision.Continue("fd " + b.fd() + " is not a socket bandaid can see; the kernel answers");
        }
        SocketKind kind = facts.socket().get();
        if (kind.family() != address.family()) {
            // An AF_UNIX socket with an inet address (EINVAL), AF_INET with AF_INET6 (EAFNOSUPPORT):
            // the kernel's own errors, which a replaced fd would hide.
            return new Decision.Continue("a " + kind.family() + " socket cannot bind a " + address.family() + " address; the kernel answers");
        }
        SocketCall.Bind call = new SocketCall.Bind(address, facts.socket(), facts.file());
        Optional<PassedSocket> socket = matcher.match(call);
        if (socket.isEmpty()) {
            Optional<PassedSocket> kept = matcher.keptByFamily(call);
            if (kept.isEmpty()) {
                return refuseIfStrict(address, facts.socket());
            }
            String why = Families.keptBack(kept.get(), call);
            return strict ? new Decision.Refuse(Errno.EACCES, "--strict: " + why)
                    : new Decision.Continue("no passed socket of its family", onceEach(List.of(why)));
        }
        List<String> warnings = new ArrayList<>();
        Families.handout(socket.get(), call).filter(note -> note.onceKey().equals(note.text()) || warned.add(note.onceKey()))
                .ifPresent(note -> warnings.add(note.text()));
        return inject(socket.get(), Optional.of(new CallerFd(b.pid(), b.fd(), facts.socketInode().orElse(CallerFd.UNKNOWN_SOCKET))),
                facts.flags().get().closeOnExec(), facts.flags().get().nonBlocking(), warnings);
    }

    /**
     * O_NONBLOCK lives on the file description, which every process handed the same passed
     * socket shares: only the first handout sets it. A later one (a worker, a child binding the
     * same address) must not flip it under a process already blocking in accept(2) on it.
     */
    private Decision inject(PassedSocket socket, Optional<CallerFd> over, boolean closeOnExec, boolean nonBlocking,
                            List<String> warnings) {
        Boolean first = modeSet.putIfAbsent(socket.fd(), nonBlocking);
        if (first == null) {
            handouts.first(socket, nonBlocking);
        }
        Optional<Boolean> mode = first == null ? Optional.of(nonBlocking) : Optional.empty();
        if (first != null && first != nonBlocking) {
            warnings.add("wants passed " + socket.describe() + (nonBlocking ? " non-blocking" : " blocking")
                    + ", but a process already serves on it " + (first ? "non-blocking" : "blocking")
                    + "; left as it is, since the mode is shared by every process that holds the socket");
        }
        return new Decision.Inject(socket, over, closeOnExec, mode, onceEach(warnings));
    }

    /**
     * The warnings not said yet. Each is keyed by its whole text, which names the address bound
     * and the passed socket: a handout that differs in another way is said too, and one that
     * differs in none spends nothing.
     */
    private List<String> onceEach(List<String> warnings) {
        return warnings.stream().filter(warned::add).toList();
    }

    /** The handout never reached the caller: the socket may be handed out again, and its mode set anew. */
    public void release(PassedSocket socket) {
        matcher.release(socket);
    }

    /** An unlink() of a path, after the look at which file it names. */
    public Decision unlink(TrappedCall.Unlink u, Optional<FileId> file) {
        boolean kept = passed.stream().anyMatch(p -> p.file().isPresent() ? p.file().equals(file)
                : u.path().isPresent() && p.address().equals(u.path().get()));
        return kept ? new Decision.Answer(0, "kept: a passed socket's path, which systemd needs for the next activation")
                : new Decision.Continue("not a passed socket's path");
    }

}
