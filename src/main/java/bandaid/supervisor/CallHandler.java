package bandaid.supervisor;

import bandaid.activation.Family;
import bandaid.activation.ListenAddress;
import bandaid.activation.PassedSocket;
import bandaid.activation.SocketType;
import bandaid.matching.FdMatcher;
import bandaid.matching.SocketCall;
import bandaid.nativeaccess.Notification;
import java.util.Optional;
import java.util.OptionalInt;
import org.tinylog.Logger;

/**
 * Answers one trapped call: decodes it, asks the {@link FdMatcher}, and carries out the
 * {@link Decision}. Safe to call from many threads at once.
 */
public final class CallHandler {
    private final FdMatcher matcher;
    private final CallerChannel channel;
    private final CallerNames names;

    public CallHandler(FdMatcher matcher, CallerChannel channel, CallerNames names) {
        this.matcher = matcher;
        this.channel = channel;
        this.names = names;
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
                Optional<ListenAddress> address = channel.readSockaddr(n.pid(), n.arg(1), n.arg(2));
                String what = "bind(" + address.map(ListenAddress::toString).orElse("?") + ")";
                carryOut(n, what, decideBind(n, fd, address));
            }
            case OTHER -> carryOut(n, "system call", new Decision.Continue("not a call bandaid handles"));
        }
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
        // Read before acting: what was read belongs to this call only if the caller still waits
        // in it; otherwise it may be another process that reused the pid (seccomp_unotify(2)).
        if (!channel.isWaiting(n.id())) {
            return new Decision.CallerGone();
        }
        if (address.isEmpty()) {
            return new Decision.Continue("address unreadable; the kernel answers");
        }
        Optional<PassedSocket> socket = matcher.match(new SocketCall.Bind(n.pid(), fd, address.get()));
        if (socket.isEmpty()) {
            return new Decision.Continue("no passed socket has that address");
        }
        Optional<CallerChannel.FdFlags> flags = channel.fdFlags(n.pid(), fd);
        if (flags.isEmpty()) {
            return new Decision.Continue("fd " + fd + " is not open in the caller; the kernel answers EBADF");
        }
        return new Decision.InjectAt(socket.get(), fd, flags.get().closeOnExec(), flags.get().nonBlocking());
    }

    private void carryOut(Notification n, String what, Decision decision) {
        switch (decision) {
            case Decision.Continue c -> {
                channel.continueCall(n.id());
                if (Logger.isDebugEnabled()) {
                    Logger.debug("{} from {} -> continues ({})", what, names.of(n.pid()), c.why());
                }
            }
            case Decision.CallerGone g -> Logger.debug("{} from pid {} -> caller went away", what, n.pid());
            case Decision.InjectAsResult inject -> {
                PassedSocket socket = inject.socket();
                channel.setNonBlocking(socket.fd(), inject.nonBlocking());
                OptionalInt fd = channel.injectAsResult(n.id(), socket.fd(), inject.closeOnExec());
                if (fd.isEmpty()) {
                    matcher.release(socket);
                    Logger.debug("{} from pid {} -> caller went away before passed {} was handed over", what, n.pid(), socket.describe());
                } else if (Logger.isDebugEnabled()) {
                    Logger.debug("{} from {} -> passed {} as fd {}", what, names.of(n.pid()), socket.describe(), fd.getAsInt());
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
                        Logger.debug("{} from {} fd {} -> passed {}", what, names.of(n.pid()), inject.targetFd(), socket.describe());
                    }
                } else {
                    Logger.debug("{} from pid {} -> caller went away", what, n.pid());
                }
            }
        }
    }
}
