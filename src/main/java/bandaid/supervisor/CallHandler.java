package bandaid.supervisor;

import bandaid.activation.Family;
import bandaid.activation.ListenAddress;
import bandaid.activation.PassedSocket;
import bandaid.activation.SocketType;
import bandaid.matching.FdMatcher;
import bandaid.matching.SocketCall;
import bandaid.matching.SocketKind;
import bandaid.nativeaccess.Notification;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.tinylog.Logger;

/**
 * Answers one trapped call: decodes it, asks the {@link FdMatcher}, and carries out the
 * {@link Decision}. Safe to call from many threads at once.
 */
public final class CallHandler {
    /** EACCES (errno-base.h): what a --strict refusal looks like to the program, as from an LSM. */
    static final int EACCES = 13;
    /** AT_REMOVEDIR (fcntl.h): unlinkat() removing a directory, never a socket. */
    static final int AT_REMOVEDIR = 0x200;

    private final FdMatcher matcher;
    private final CallerChannel channel;
    private final CallerNames names;
    private final boolean strict;
    /** Paths of passed unix sockets: systemd needs them for the next activation. */
    private final Set<String> keptPaths;
    /** Passed sockets already warned about, so each difference is said once. */
    private final Set<Integer> warned = ConcurrentHashMap.newKeySet();

    public CallHandler(FdMatcher matcher, CallerChannel channel, CallerNames names, boolean strict, List<PassedSocket> passed) {
        this.matcher = matcher;
        this.channel = channel;
        this.names = names;
        this.strict = strict;
        this.keptPaths = keptPaths(passed);
    }

    /** The filesystem paths of the passed unix sockets (abstract names have no file to keep). */
    public static Set<String> keptPaths(List<PassedSocket> passed) {
        return passed.stream().map(PassedSocket::address)
                .filter(a -> a instanceof ListenAddress.Unix u && !u.isAbstract() && !u.path().isEmpty())
                .map(a -> ((ListenAddress.Unix) a).path()).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Answers, on the calling thread, the one kind of call that needs nothing but the caller's
     * address: a bind() that no passed socket can get (port 0, and every other address that is not
     * a passed one: clients, outbound sockets) continues in the kernel. Two system calls, neither
     * of which waits (process_vm_readv(2) and SECCOMP_IOCTL_NOTIF_SEND), so the reader can make
     * them itself instead of waking another thread for them: on a busy machine each wake-up is a
     * wait for a CPU, and it was most of what a trapped call cost (scripts/bench, part 2).
     * No ID_VALID check: continuing acts on nothing the address said, and the answer to a caller
     * that went away fails with ENOENT on its own.
     *
     * @param on the reader's own way to read and answer (memory allocated once, not per call)
     * @return false when the call needs more (a candidate bind, --strict, an unreadable or
     * relative address, any other call): then {@link #handle} answers it, on a thread of its own
     */
    public boolean answerIfOnlyContinued(Notification n, ContinueChannel on) {
        if (n.call() != Notification.TrappedCall.BIND) {
            return false;
        }
        Optional<ListenAddress> read = on.readSockaddr(n.pid(), n.arg(1), n.arg(2));
        if (read.isEmpty()) {
            return false;
        }
        ListenAddress address = read.get();
        if (address instanceof ListenAddress.Unix u && !u.isAbstract() && !u.path().isEmpty() && !u.path().startsWith("/")
                || matcher.couldMatch(address) || strict && candidateForStrict(address)) {
            return false;
        }
        on.continueCall(n.id());
        if (Logger.isDebugEnabled()) {
            Logger.debug("bind({}) from {} -> continues (no passed socket for that address)", address, names.of(n.pid()));
        }
        return true;
    }

    public void handle(Notification n) {
        switch (n.call()) {
            case SOCKET -> {
                int type = (int) n.arg(1);
                SocketCall.Create call = new SocketCall.Create(n.pid(), Family.of((int) n.arg(0)), SocketType.of(type), (int) n.arg(2));
                carryOut(n, call.toString(), decideSocket(call, type));
            }
            case BIND -> {
                int fd = (int) n.arg(0);
                Optional<ListenAddress> address = channel.readSockaddr(n.pid(), n.arg(1), n.arg(2)).map(a -> absolute(n.pid(), a));
                String what = "bind(" + address.map(ListenAddress::toString).orElse("?") + ")";
                carryOut(n, what, decideBind(n, fd, address));
            }
            case UNLINK -> unlink(n, KernelChannel.AT_FDCWD, n.arg(0), 0);
            case UNLINKAT -> unlink(n, (int) n.arg(0), n.arg(1), (int) n.arg(2));
            case OTHER -> carryOut(n, "system call", new Decision.Continue("not a call bandaid handles"));
        }
    }

    /** A relative unix path is the caller's: resolve it against the caller's working directory. */
    private ListenAddress absolute(int pid, ListenAddress address) {
        if (address instanceof ListenAddress.Unix u && !u.isAbstract() && !u.path().isEmpty() && !u.path().startsWith("/")) {
            return channel.absolutePath(pid, KernelChannel.AT_FDCWD, u.path())
                    .<ListenAddress>map(p -> new ListenAddress.Unix(p, false)).orElse(address);
        }
        return address;
    }

    private Decision decideSocket(SocketCall.Create call, int type) {
        Optional<PassedSocket> socket = matcher.match(call);
        if (socket.isEmpty()) {
            return new Decision.Continue("no unclaimed passed socket of that kind");
        }
        return new Decision.InjectAsResult(socket.get(),
                (type & SocketType.CLOEXEC_FLAG) != 0, (type & SocketType.NONBLOCK_FLAG) != 0);
    }

    private Decision decideBind(Notification n, int fd, Optional<ListenAddress> address) {
        boolean candidate = address.isPresent() && matcher.couldMatch(address.get());
        // Only a bind that may get a passed socket costs the extra look at the program's socket.
        Optional<SocketKind> kind = candidate ? channel.callerSocket(n.pid(), fd) : Optional.empty();
        Optional<CallerChannel.FdFlags> flags = candidate ? channel.fdFlags(n.pid(), fd) : Optional.empty();
        FaultInjection.slowBindIfAsked();
        // Read before acting: what was read belongs to this call only if the caller still waits
        // in it; otherwise it may be another process that reused the pid (seccomp_unotify(2)).
        if (!channel.isWaiting(n.id())) {
            return new Decision.CallerGone();
        }
        if (address.isEmpty()) {
            return new Decision.Continue("address unreadable; the kernel answers");
        }
        Optional<PassedSocket> socket = candidate
                ? matcher.match(new SocketCall.Bind(n.pid(), fd, address.get(), kind)) : Optional.empty();
        if (socket.isEmpty()) {
            if (strict && candidateForStrict(address.get())) {
                return new Decision.Refuse(EACCES, "--strict: not an address of a passed socket");
            }
            return new Decision.Continue("no passed socket for that address");
        }
        if (flags.isEmpty()) {
            return new Decision.Continue("fd " + fd + " is not open in the caller; the kernel answers EBADF");
        }
        warnAboutDifferences(socket.get(), kind, n.pid());
        return new Decision.InjectAt(socket.get(), fd, flags.get().closeOnExec(), flags.get().nonBlocking());
    }

    /** --strict refuses listening addresses only: port 0 and autobind are how clients bind. */
    private static boolean candidateForStrict(ListenAddress address) {
        return switch (address) {
            case ListenAddress.Inet inet -> inet.port() != 0;
            case ListenAddress.Unix unix -> !unix.path().isEmpty() || unix.isAbstract();
            case ListenAddress.Unsupported u -> false;
        };
    }

    /**
     * The program set up its own socket before bind(); what it gets may differ. Said once per
     * passed socket, at warning level, since the program may then behave differently.
     */
    private void warnAboutDifferences(PassedSocket socket, Optional<SocketKind> kind, int pid) {
        if (kind.isEmpty() || !warned.add(socket.fd())) {
            return;
        }
        SocketKind asked = kind.get();
        boolean v6OnlyDiffers = asked.v6Only().map(v6Only -> v6Only != socket.v6Only()).orElse(false);
        if (asked.family() == Family.INET6 && socket.family() == Family.INET6 && v6OnlyDiffers) {
            Logger.warn("{} set IPV6_V6ONLY={} but passed {} has IPV6_V6ONLY={}; set BindIPv6Only= in the .socket unit to change it",
                    names.of(pid), socket.v6Only() ? 0 : 1, socket.describe(), socket.v6Only() ? 1 : 0);
        } else if (asked.family() == Family.INET && socket.family() == Family.INET6) {
            // accept(2) truncates an address longer than the caller's buffer: a program that sized
            // it for sockaddr_in reads a clipped sockaddr_in6 as its client's address.
            Logger.warn("{} asked for an AF_INET socket and gets passed {}, an AF_INET6 one: it is served on both families,"
                    + " but accept() reports its clients as IPv6 addresses, clipped if it expects IPv4;"
                    + " pass ListenStream=0.0.0.0:PORT if it minds", names.of(pid), socket.describe());
        } else if (asked.family() != socket.family()) {
            Logger.warn("{} asked for an {} socket and gets passed {}, an {} socket", names.of(pid), asked.family(), socket.describe(), socket.family());
        }
    }

    private void unlink(Notification n, int dirfd, long pathAddress, int flags) {
        Optional<String> path = keptPaths.isEmpty() || (flags & AT_REMOVEDIR) != 0 ? Optional.empty()
                : channel.readPath(n.pid(), pathAddress).flatMap(p -> channel.absolutePath(n.pid(), dirfd, p));
        String what = "unlink(" + path.orElse("?") + ")";
        Decision decision;
        if (!channel.isWaiting(n.id())) {
            decision = new Decision.CallerGone();
        } else if (path.isPresent() && keptPaths.contains(path.get())) {
            decision = new Decision.Answer(0, "kept: a passed socket's path, which systemd needs for the next activation");
        } else {
            decision = new Decision.Continue("not a passed socket's path");
        }
        carryOut(n, what, decision);
    }

    private void carryOut(Notification n, String what, Decision decision) {
        // Named before answering: once answered, a short-lived caller may be gone from /proc.
        String caller = Logger.isDebugEnabled() || decision instanceof Decision.Refuse ? names.of(n.pid()) : "pid " + n.pid();
        switch (decision) {
            case Decision.Continue c -> {
                channel.continueCall(n.id());
                if (Logger.isDebugEnabled()) {
                    Logger.debug("{} from {} -> continues ({})", what, caller, c.why());
                }
            }
            case Decision.CallerGone g -> Logger.debug("{} from pid {} -> caller went away", what, n.pid());
            case Decision.Answer a -> {
                channel.returnValue(n.id(), a.value());
                if (Logger.isDebugEnabled()) {
                    Logger.debug("{} from {} -> {}", what, caller, a.why());
                }
            }
            case Decision.Refuse r -> {
                channel.fail(n.id(), r.errno());
                Logger.warn("{} from {} -> refused ({})", what, caller, r.why());
            }
            case Decision.InjectAsResult inject -> {
                PassedSocket socket = inject.socket();
                channel.setNonBlocking(socket.fd(), inject.nonBlocking());
                OptionalInt fd = channel.injectAsResult(n.id(), socket.fd(), inject.closeOnExec());
                if (fd.isEmpty()) {
                    matcher.release(socket);
                    Logger.debug("{} from pid {} -> caller went away before passed {} was handed over", what, n.pid(), socket.describe());
                } else if (Logger.isDebugEnabled()) {
                    Logger.debug("{} from {} -> passed {} as fd {}", what, caller, socket.describe(), fd.getAsInt());
                }
            }
            case Decision.InjectAt inject -> {
                PassedSocket socket = inject.socket();
                channel.setNonBlocking(socket.fd(), inject.nonBlocking());
                // Two steps, not atomic (seccomp_unotify(2)): if a signal restarts bind() in
                // between, the restarted bind finds the passed socket already on its fd and is
                // answered the same way again; nothing leaks, since SETFD replaced the program's
                // own fd instead of adding one.
                if (channel.injectAt(n.id(), socket.fd(), inject.targetFd(), inject.closeOnExec())
                        && channel.returnValue(n.id(), 0)) {
                    if (Logger.isDebugEnabled()) {
                        Logger.debug("{} from {} fd {} -> passed {}", what, caller, inject.targetFd(), socket.describe());
                    }
                } else {
                    Logger.debug("{} from pid {} -> caller went away", what, n.pid());
                }
            }
        }
    }
}
