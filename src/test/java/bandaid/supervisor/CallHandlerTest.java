package bandaid.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bandaid.activation.Family;
import bandaid.activation.ListenAddress;
import bandaid.activation.PassedSocket;
import bandaid.activation.SocketType;
import bandaid.matching.AddressMatcher;
import bandaid.matching.SocketKind;
import bandaid.matching.SocketOrderMatcher;
import bandaid.nativeaccess.Notification;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The decisions for trapped calls, against a fake channel that records what was done. */
class CallHandlerTest {
    private static final int AF_INET = 2;
    private static final int SOCK_STREAM = 1;
    private static final PassedSocket WEB = new PassedSocket(3, "web", Family.INET, SocketType.STREAM, 6,
            new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 8080), true, true, false);

    /** Records every answer; memory and fd flags come from fields a test sets. */
    static final class FakeChannel implements CallerChannel {
        final List<String> actions = new ArrayList<>();
        Optional<ListenAddress> memory = Optional.empty();
        Optional<FdFlags> flags = Optional.of(new FdFlags(true, false));
        boolean waiting = true;
        boolean callerAlive = true;

        @Override
        public Optional<ListenAddress> readSockaddr(int pid, long address, long length) {
            actions.add("read " + pid);
            return memory;
        }

        @Override
        public Optional<FdFlags> fdFlags(int pid, int fd) {
            return flags;
        }

        Optional<SocketKind> kind = Optional.of(new SocketKind(Family.INET, SocketType.STREAM, false));
        Optional<String> path = Optional.empty();

        @Override
        public Optional<SocketKind> callerSocket(int pid, int fd) {
            actions.add("look at fd " + fd);
            return kind;
        }

        @Override
        public Optional<String> readPath(int pid, long address) {
            return path;
        }

        @Override
        public Optional<String> absolutePath(int pid, int dirfd, String p) {
            return Optional.of(p.startsWith("/") ? p : "/cwd/" + p);
        }

        @Override
        public boolean fail(long id, int errno) {
            actions.add("fail " + id + " errno " + errno);
            return callerAlive;
        }

        @Override
        public boolean isWaiting(long id) {
            actions.add("valid? " + id);
            return waiting;
        }

        @Override
        public boolean continueCall(long id) {
            actions.add("continue " + id);
            return callerAlive;
        }

        @Override
        public boolean returnValue(long id, long value) {
            actions.add("return " + id + " " + value);
            return callerAlive;
        }

        @Override
        public OptionalInt injectAsResult(long id, int passedFd, boolean closeOnExec) {
            actions.add("inject " + id + " fd " + passedFd + (closeOnExec ? " cloexec" : ""));
            return callerAlive ? OptionalInt.of(7) : OptionalInt.empty();
        }

        @Override
        public boolean injectAt(long id, int passedFd, int targetFd, boolean closeOnExec) {
            actions.add("inject " + id + " fd " + passedFd + " at " + targetFd + (closeOnExec ? " cloexec" : ""));
            return callerAlive;
        }

        @Override
        public void setNonBlocking(int passedFd, boolean nonBlocking) {
            actions.add("nonblocking " + passedFd + " " + nonBlocking);
        }
    }

    private final FakeChannel channel = new FakeChannel();
    private final CallHandler handler = new CallHandler(new SocketOrderMatcher(List.of(WEB)), channel, new CallerNames(), false, List.of(WEB));

    private static Notification socket(long id, int type) {
        return new Notification(id, 100, Notification.TrappedCall.SOCKET, new long[] {AF_INET, type, 0, 0, 0, 0});
    }

    private static Notification bind(long id, int fd) {
        return new Notification(id, 100, Notification.TrappedCall.BIND, new long[] {fd, 0x7000, 16, 0, 0, 0});
    }

    @Test
    void socketGetsThePassedSocketWithTheFlagsItAskedFor() {
        handler.handle(socket(1, SOCK_STREAM | SocketType.CLOEXEC_FLAG));
        assertEquals(List.of("nonblocking 3 false", "inject 1 fd 3 cloexec"), channel.actions);
    }

    @Test
    void secondSocketOfTheSameKindContinues() {
        handler.handle(socket(1, SOCK_STREAM | SocketType.NONBLOCK_FLAG));
        handler.handle(socket(2, SOCK_STREAM));
        assertEquals(List.of("nonblocking 3 true", "inject 1 fd 3", "continue 2"), channel.actions);
    }

    @Test
    void aSocketTheCallerNeverGotIsHandedOutAgain() {
        channel.callerAlive = false;
        handler.handle(socket(1, SOCK_STREAM));
        channel.callerAlive = true;
        channel.actions.clear();
        handler.handle(socket(2, SOCK_STREAM));
        assertEquals(List.of("nonblocking 3 false", "inject 2 fd 3"), channel.actions);
    }

    @Test
    void bindToThePassedAddressPutsThePassedSocketOnTheCallersFdAndSucceeds() {
        channel.memory = Optional.of(WEB.address());
        handler.handle(bind(5, 9));
        assertEquals(List.of("read 100", "look at fd 9", "valid? 5", "nonblocking 3 false", "inject 5 fd 3 at 9 cloexec", "return 5 0"), channel.actions);
    }

    @Test
    void bindElsewhereContinues() {
        channel.memory = Optional.of(new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 9999));
        handler.handle(bind(5, 9));
        assertEquals(List.of("read 100", "valid? 5", "continue 5"), channel.actions);
    }

    @Test
    void nothingIsDoneForACallerThatStoppedWaitingAfterItsMemoryWasRead() {
        channel.memory = Optional.of(WEB.address());
        channel.waiting = false;
        handler.handle(bind(5, 9));
        assertEquals(List.of("read 100", "look at fd 9", "valid? 5"), channel.actions);
    }

    @Test
    void unreadableAddressContinues() {
        handler.handle(bind(5, 9));
        assertEquals(List.of("read 100", "valid? 5", "continue 5"), channel.actions);
    }

    private static final PassedSocket UNIX = new PassedSocket(4, "app", Family.UNIX, SocketType.STREAM, 0,
            new ListenAddress.Unix("/run/app.sock", false), true, false, false);

    private CallHandler addressHandler(boolean strict) {
        return new CallHandler(new AddressMatcher(List.of(WEB, UNIX), List.of()), channel, new CallerNames(), strict, List.of(WEB, UNIX));
    }

    @Test
    void unlinkOfAPassedSocketsPathSucceedsWithoutRemovingIt() {
        channel.path = Optional.of("/run/app.sock");
        addressHandler(false).handle(new Notification(8, 100, Notification.TrappedCall.UNLINK, new long[] {0x7000, 0, 0, 0, 0, 0}));
        assertEquals(List.of("valid? 8", "return 8 0"), channel.actions);
    }

    @Test
    void relativeUnlinkIsResolvedAgainstTheCallersDirectory() {
        channel.path = Optional.of("other.sock");
        addressHandler(false).handle(new Notification(8, 100, Notification.TrappedCall.UNLINKAT, new long[] {-100, 0x7000, 0, 0, 0, 0}));
        assertEquals(List.of("valid? 8", "continue 8"), channel.actions);
    }

    @Test
    void strictRefusesAListeningAddressThatWasNotPassedButLetsClientsBindPortZero() {
        CallHandler strict = addressHandler(true);
        channel.memory = Optional.of(new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 9999));
        strict.handle(bind(5, 9));
        channel.memory = Optional.of(new ListenAddress.Inet(Family.INET, new byte[] {0, 0, 0, 0}, 0));
        strict.handle(bind(6, 9));
        assertEquals(List.of("read 100", "valid? 5", "fail 5 errno 13", "read 100", "valid? 6", "continue 6"), channel.actions);
    }

    @Test
    void theReaderItselfContinuesABindNoPassedSocketCanGet() {
        CallHandler h = addressHandler(false);
        channel.memory = Optional.of(new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 0));
        assertEquals(true, h.answerIfOnlyContinued(bind(5, 9), channel));
        channel.memory = Optional.of(new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 9999));
        assertEquals(true, h.answerIfOnlyContinued(bind(6, 9), channel));
        assertEquals(List.of("read 100", "continue 5", "read 100", "continue 6"), channel.actions);
    }

    @Test
    void theReaderLeavesEveryOtherCallToAThreadOfItsOwnAndAnswersNothing() {
        CallHandler h = addressHandler(false);
        channel.memory = Optional.of(WEB.address());
        assertEquals(false, h.answerIfOnlyContinued(bind(5, 9), channel), "a passed address");
        channel.memory = Optional.of(new ListenAddress.Unix("app.sock", false));
        assertEquals(false, h.answerIfOnlyContinued(bind(6, 9), channel), "a relative path, which may be a passed one");
        channel.memory = Optional.empty();
        assertEquals(false, h.answerIfOnlyContinued(bind(7, 9), channel), "an unreadable address");
        assertEquals(false, h.answerIfOnlyContinued(socket(8, SOCK_STREAM), channel), "not a bind");
        channel.memory = Optional.of(new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 9999));
        assertEquals(false, addressHandler(true).answerIfOnlyContinued(bind(9, 9), channel), "--strict refuses it");
        assertEquals(List.of("read 100", "read 100", "read 100", "read 100"), channel.actions);
    }

    @Test
    void aBindOfTheWrongTypeIsNotGivenThePassedSocket() {
        channel.memory = Optional.of(WEB.address());
        channel.kind = Optional.of(new SocketKind(Family.INET, SocketType.DGRAM, false));
        addressHandler(false).handle(bind(5, 9));
        assertEquals(List.of("read 100", "look at fd 9", "valid? 5", "continue 5"), channel.actions);
    }
}
