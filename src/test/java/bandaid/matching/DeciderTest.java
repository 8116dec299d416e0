package bandaid.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.FdFlags;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import bandaid.socket.TrappedCall;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The decisions for trapped calls: what the reader decoded, then what a closer look found. */
class DeciderTest {
    private static final PassedSocket WEB = new PassedSocket(3, "web", Family.INET, SocketType.STREAM, 6,
            new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 8080), true, true, false);
    private static final FileId APP_FILE = new FileId(8, 1234);
    private static final PassedSocket UNIX = new PassedSocket(4, "app", Family.UNIX, SocketType.STREAM, 0,
            new ListenAddress.Unix("/run/app.sock", false), true, false, false, Optional.of(APP_FILE));
    private static final SocketKind TCP = new SocketKind(Family.INET, SocketType.STREAM, false);
    private static final BindFacts OPEN_TCP = new BindFacts(Optional.of(TCP), Optional.of(new FdFlags(true, false)), Optional.empty());

    private final Decider socketOrder = new Decider(new SocketOrderMatcher(List.of(WEB)), false, List.of(WEB));

    private static Decider byAddress(boolean strict) {
        return new Decider(new AddressMatcher(List.of(WEB, UNIX), List.of()), strict, List.of(WEB, UNIX));
    }

    private static TrappedCall.Socket socket(boolean nonBlocking, boolean closeOnExec) {
        return new TrappedCall.Socket(100, Family.INET, SocketType.STREAM, 0, nonBlocking, closeOnExec);
    }

    private static TrappedCall.Bind bind(ListenAddress address) {
        return new TrappedCall.Bind(100, 9, Optional.of(address));
    }

    private static ListenAddress.Inet local(int port) {
        return new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, port);
    }

    @Test
    void socketGetsThePassedSocketWithTheFlagsItAskedFor() {
        assertEquals(new Decision.Inject(WEB, Optional.empty(), true, Optional.of(false), List.of()), socketOrder.first(socket(false, true)));
    }

    @Test
    void secondSocketOfTheSameKindContinues() {
        assertInstanceOf(Decision.Inject.class, socketOrder.first(socket(true, false)));
        assertInstanceOf(Decision.Continue.class, socketOrder.first(socket(false, false)));
    }

    @Test
    void aSocketTheCallerNeverGotIsHandedOutAgain() {
        socketOrder.release(((Decision.Inject) socketOrder.first(socket(false, false))).socket());
        assertEquals(WEB, ((Decision.Inject) socketOrder.first(socket(false, false))).socket());
    }

    @Test
    void bindToThePassedAddressLooksCloserThenPutsThePassedSocketOnTheCallersFd() {
        Decider d = byAddress(false);
        assertEquals(new Decision.LookCloser(), d.first(bind(WEB.address())));
        assertEquals(new Decision.Inject(WEB, Optional.of(9), true, Optional.of(false), List.of()), d.bind(bind(WEB.address()), OPEN_TCP));
    }

    @Test
    void bindElsewhereContinuesWithoutALookOnceEveryPassedSocketIsInUse() {
        Decider d = byAddress(false);
        assertInstanceOf(Decision.Continue.class, d.first(bind(local(0))), "a client's bind, always");
        d.bind(bind(WEB.address()), OPEN_TCP);
        assertInstanceOf(Decision.Continue.class, d.first(bind(local(9999))));
    }

    @Test
    void unreadableAddressContinues() {
        assertInstanceOf(Decision.Continue.class, byAddress(false).first(new TrappedCall.Bind(100, 9, Optional.empty())));
    }

    @Test
    void unlinkOfAPassedSocketsFileSucceedsWithoutRemovingItHoweverThePathIsSpelt() {
        Decider d = byAddress(false);
        TrappedCall.Unlink unlink = new TrappedCall.Unlink(100, TrappedCall.Unlink.AT_FDCWD,
                Optional.of(new ListenAddress.Unix("/var/run/../run/app.sock", false)), false);
        assertEquals(new Decision.LookCloser(), d.first(unlink));
        assertEquals(0, ((Decision.Answer) d.unlink(unlink, Optional.of(APP_FILE))).value());
        assertInstanceOf(Decision.Continue.class, d.unlink(unlink, Optional.of(new FileId(8, 99))));
        assertInstanceOf(Decision.Continue.class, d.unlink(unlink, Optional.empty()));
    }

    @Test
    void aDirectoryRemovalIsNeverLookedAt() {
        assertInstanceOf(Decision.Continue.class, byAddress(false).first(new TrappedCall.Unlink(100, 5,
                Optional.empty(), true)));
    }

    @Test
    void aRelativeOrOtherwiseSpeltUnixPathGetsThePassedSocketByItsFile() {
        Decider d = byAddress(false);
        TrappedCall.Bind relative = bind(new ListenAddress.Unix("app.sock", false));
        assertEquals(new Decision.LookCloser(), d.first(relative));
        BindFacts facts = new BindFacts(Optional.of(new SocketKind(Family.UNIX, SocketType.STREAM, false)),
                Optional.of(new FdFlags(false, true)), Optional.of(APP_FILE));
        assertEquals(new Decision.Inject(UNIX, Optional.of(9), false, Optional.of(true), List.of()), d.bind(relative, facts));
    }

    @Test
    void strictRefusesAListeningAddressThatWasNotPassedButLetsClientsBindPortZero() {
        Decider strict = byAddress(true);
        assertEquals(new Decision.Refuse(Errno.EACCES, "--strict: not an address of a passed socket"), strict.first(bind(local(9999))));
        assertInstanceOf(Decision.Continue.class, strict.first(bind(local(0))));
    }

    @Test
    void aBindOfTheWrongTypeIsNotGivenThePassedSocket() {
        BindFacts udp = new BindFacts(Optional.of(new SocketKind(Family.INET, SocketType.DGRAM, false)),
                Optional.of(new FdFlags(true, false)), Optional.empty());
        assertInstanceOf(Decision.Continue.class, byAddress(false).bind(bind(WEB.address()), udp));
    }

    @Test
    void theKernelAnswersABindOnAnFdThatIsNoSocketOrNotOpenOrOfAnotherFamily() {
        Decider d = byAddress(false);
        assertInstanceOf(Decision.Continue.class, d.bind(bind(WEB.address()),
                new BindFacts(Optional.empty(), Optional.of(new FdFlags(false, false)), Optional.empty())), "a pipe: ENOTSOCK");
        assertInstanceOf(Decision.Continue.class, d.bind(bind(WEB.address()),
                new BindFacts(Optional.of(TCP), Optional.empty(), Optional.empty())), "closed meanwhile: EBADF");
        assertInstanceOf(Decision.Continue.class, d.bind(bind(WEB.address()),
                new BindFacts(Optional.of(new SocketKind(Family.UNIX, SocketType.STREAM, false)), Optional.of(new FdFlags(false, false)),
                        Optional.empty())), "AF_UNIX with an inet address: EINVAL");
    }

    @Test
    void aSecondHandoutLeavesTheModeOfTheSharedSocketAndSaysSoOnce() {
        Decider d = byAddress(false);
        BindFacts nonBlocking = new BindFacts(Optional.of(TCP), Optional.of(new FdFlags(false, true)), Optional.empty());
        Decision.Inject second = (Decision.Inject) d.bind(bind(WEB.address()), OPEN_TCP);
        assertEquals(Optional.of(false), second.nonBlocking());
        Decision.Inject third = (Decision.Inject) d.bind(bind(WEB.address()), nonBlocking);
        assertEquals(Optional.empty(), third.nonBlocking());
        assertEquals(1, third.warnings().size());
        assertTrue(third.warnings().getFirst().contains("blocking"), third.warnings().toString());
        assertEquals(List.of(), ((Decision.Inject) d.bind(bind(WEB.address()), nonBlocking)).warnings(), "said once");
    }

    @Test
    void aListeningBindNextToAnUnusedPassedSocketOfItsTypeIsToldTheMapThatJoinsThemOnce() {
        Decider d = byAddress(false);
        TrappedCall.Bind other = bind(new ListenAddress.Inet(Family.INET, new byte[] {0, 0, 0, 0}, 8091));
        assertEquals(new Decision.LookCloser(), d.first(other), "a passed socket is still unused");
        Decision.Continue c = (Decision.Continue) d.bind(other, OPEN_TCP);
        assertEquals(List.of("binds 0.0.0.0:8091, which no passed socket has, while passed fd 3 \"web\" (127.0.0.1:8080) of that type"
                + " is still unused: if it is meant for it, run bandaid with --map web=0.0.0.0:8091 (or pass 0.0.0.0:8091 in the .socket unit)"),
                c.warnings());
        assertEquals(new Decision.Continue("no passed socket for that address"), d.first(other), "said once, then not looked at");
        BindFacts udp = new BindFacts(Optional.of(new SocketKind(Family.INET, SocketType.DGRAM, false)),
                Optional.of(new FdFlags(true, false)), Optional.empty());
        Decider fresh = byAddress(false);
        assertEquals(List.of(), ((Decision.Continue) fresh.bind(other, udp)).warnings(), "no passed socket of that type");
    }

    @Test
    void aClientsBindOrAUsedPassedSocketSaysNothing() {
        Decider d = byAddress(false);
        assertInstanceOf(Decision.Inject.class, d.bind(bind(WEB.address()), OPEN_TCP));
        assertEquals(new Decision.Continue("no passed socket for that address"), d.first(bind(local(0))), "port 0: a client");
        assertEquals(new Decision.Continue("no passed socket for that address"),
                d.first(bind(new ListenAddress.Inet(Family.INET, new byte[] {0, 0, 0, 0}, 8091))), "web is in use");
    }
}
