package bandaid.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.socket.CallerFd;
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
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** The decisions for trapped calls: what the reader decoded, then what a closer look found. */
class DeciderTest {
    private static final PassedSocket WEB = new PassedSocket(3, "web", Family.INET, SocketType.STREAM, 6,
            new ListenAddress.Inet(Family.INET, new byte[] {127, 0, 0, 1}, 8080), true, true, false);
    private static final FileId APP_FILE = new FileId(8, 1234);
    private static final PassedSocket UNIX = new PassedSocket(4, "app", Family.UNIX, SocketType.STREAM, 0,
            new ListenAddress.Unix("/run/app.sock", false), true, false, false, Optional.of(APP_FILE));
    /** The inode of the caller's socket, as the look found it. */
    private static final long INODE = 4711;
    private static final SocketKind TCP = new SocketKind(Family.INET, SocketType.STREAM, false);
    private static final CallerFacts OPEN_TCP = new CallerFacts(Optional.of(TCP), Optional.of(new FdFlags(true, false)), Optional.empty(), OptionalLong.of(INODE));

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

    /** A decider that takes over (the broker after a restart) acts as if it had made the earlier handouts. */
    @Test
    void aDeciderThatTakesOverKnowsWhatWasHandedOutAndWritesDownWhatItHandsOut() {
        java.util.Map<PassedSocket, Boolean> written = new java.util.HashMap<>();
        Decider fresh = new Decider(new SocketOrderMatcher(List.of(WEB)), false, List.of(WEB), java.util.Map.of(), written::put);
        assertInstanceOf(Decision.Inject.class, fresh.first(socket(true, false)));
        assertEquals(java.util.Map.of(WEB, true), written, "the first handout and its mode are told");
        Decider takingOver = new Decider(new SocketOrderMatcher(List.of(WEB)), false, List.of(WEB), written, (s, n) -> { });
        assertInstanceOf(Decision.Continue.class, takingOver.first(socket(false, false)), "the socket was claimed already");
        Decider byAddress = new Decider(new AddressMatcher(List.of(WEB), List.of()), false, List.of(WEB), written, (s, n) -> { });
        Decision again = byAddress.bind(bind(WEB.address()), new CallerFacts(Optional.of(TCP), Optional.of(new FdFlags(false, false)),
                Optional.empty()));
        Decision.Inject inject = assertInstanceOf(Decision.Inject.class, again);
        assertEquals(Optional.empty(), inject.nonBlocking(), "the mode an earlier handout set is left as it is");
        assertEquals(1, inject.warnings().size(), "and a program that wants another is told: " + inject.warnings());
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
        assertEquals(new Decision.Inject(WEB, Optional.of(new CallerFd(100, 9, INODE)), true, Optional.of(false), List.of()), d.bind(bind(WEB.address()), OPEN_TCP));
    }

    @Test
    void aClientsBindContinuesWithoutALookAndABindElsewhereIsLookedAtForWhatItServes() {
        Decider d = byAddress(false);
        assertInstanceOf(Decision.Continue.class, d.first(bind(local(0))), "a client's bind, always");
        d.bind(bind(WEB.address()), OPEN_TCP);
        assertEquals(new Decision.LookCloser(), d.first(bind(local(9999))), "a listener of its own, or a client on a fixed port");
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
        CallerFacts facts = new CallerFacts(Optional.of(new SocketKind(Family.UNIX, SocketType.STREAM, false)),
                Optional.of(new FdFlags(false, true)), Optional.of(APP_FILE), OptionalLong.of(INODE));
        assertEquals(new Decision.Inject(UNIX, Optional.of(new CallerFd(100, 9, INODE)), false, Optional.of(true), List.of()), d.bind(relative, facts));
    }

    @Test
    void strictRefusesAListeningAddressThatWasNotPassedButLetsClientsBindPortZero() {
        Decider strict = byAddress(true);
        assertEquals(new Decision.Refuse(Errno.EACCES, "--strict: not an address of a passed socket"), strict.first(bind(local(9999))));
        assertInstanceOf(Decision.Continue.class, strict.first(bind(local(0))));
    }

    @Test
    void strictRefusesIoUringWhoseBindsNoFilterSeesAndOtherwiseLetsItBe() {
        TrappedCall.IoUringSetup setup = new TrappedCall.IoUringSetup(100);
        Decision refused = byAddress(true).first(setup);
        assertEquals(new Decision.Refuse(Errno.EPERM, "--strict: a bind() through io_uring (IORING_OP_BIND) cannot be checked,"
                + " so no io_uring, as with kernel.io_uring_disabled=2"), refused);
        assertInstanceOf(Decision.Continue.class, byAddress(false).first(setup));
    }

    @Test
    void aBindOfTheWrongTypeIsNotGivenThePassedSocket() {
        CallerFacts udp = new CallerFacts(Optional.of(new SocketKind(Family.INET, SocketType.DGRAM, false)),
                Optional.of(new FdFlags(true, false)), Optional.empty(), OptionalLong.of(INODE));
        assertInstanceOf(Decision.Continue.class, byAddress(false).bind(bind(WEB.address()), udp));
    }

    @Test
    void aBindOnAnFdBandaidMayNotLookAtContinuesAndSaysWhyEvenUnderStrict() {
        CallerFacts unseen = CallerFacts.unseen(new CallerFacts.Unseen("getxattr(/proc/100/fd/9, system.sockprotoname)", Errno.EACCES),
                Optional.empty());
        for (boolean strict : new boolean[] {false, true}) {
            assertEquals(new Decision.Continue("bandaid may not look at fd 9 (getxattr(/proc/100/fd/9, system.sockprotoname): EACCES"
                    + " (Permission denied)); the kernel answers"), byAddress(strict).bind(bind(WEB.address()), unseen), "strict " + strict);
        }
    }

    @Test
    void theKernelAnswersABindOnAnFdThatIsNoSocketOrNotOpenOrOfAnotherFamily() {
        Decider d = byAddress(false);
        assertInstanceOf(Decision.Continue.class, d.bind(bind(WEB.address()),
                new CallerFacts(Optional.empty(), Optional.of(new FdFlags(false, false)), Optional.empty(), OptionalLong.empty())), "a pipe: ENOTSOCK");
        assertInstanceOf(Decision.Continue.class, d.bind(bind(WEB.address()),
                new CallerFacts(Optional.of(TCP), Optional.empty(), Optional.empty(), OptionalLong.of(INODE))), "closed meanwhile: EBADF");
        assertInstanceOf(Decision.Continue.class, d.bind(bind(WEB.address()),
                new CallerFacts(Optional.of(new SocketKind(Family.UNIX, SocketType.STREAM, false)), Optional.of(new FdFlags(false, false)),
                        Optional.empty(), OptionalLong.of(INODE))), "AF_UNIX with an inet address: EINVAL");
    }

    @Test
    void aSecondHandoutLeavesTheModeOfTheSharedSocketAndSaysSoOnce() {
        Decider d = byAddress(false);
        CallerFacts nonBlocking = new CallerFacts(Optional.of(TCP), Optional.of(new FdFlags(false, true)), Optional.empty(), OptionalLong.of(INODE));
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
        assertEquals(List.of(), ((Decision.Continue) d.bind(other, OPEN_TCP)).warnings(), "said once");
        assertEquals(new Decision.Continue("no socket of the program's own is bound to a listening address"), d.first(listen()),
                "nothing more is said of it when it listens");
        CallerFacts udp = new CallerFacts(Optional.of(new SocketKind(Family.INET, SocketType.DGRAM, false)),
                Optional.of(new FdFlags(true, false)), Optional.empty(), OptionalLong.of(INODE));
        Decider fresh = byAddress(false);
        assertEquals(List.of(Probes.listensUnpassed(other.address().orElseThrow(), SocketType.DGRAM)),
                ((Decision.Continue) fresh.bind(other, udp)).warnings(), "no passed socket of that type: it serves there itself");
    }

    @Test
    void aClientsBindOrAUsedPassedSocketSaysNothing() {
        Decider d = byAddress(false);
        assertInstanceOf(Decision.Inject.class, d.bind(bind(WEB.address()), OPEN_TCP));
        assertEquals(new Decision.Continue("no passed socket for that address"), d.first(bind(local(0))), "port 0: a client");
        TrappedCall.Bind other = bind(new ListenAddress.Inet(Family.INET, new byte[] {0, 0, 0, 0}, 8091));
        assertEquals(new Decision.LookCloser(), d.first(other));
        assertEquals(new Decision.Continue("no passed socket for that address"), d.bind(other, OPEN_TCP),
                "web is in use, and a TCP socket serves only once it listens");
    }

    private static TrappedCall.Listen listen() {
        return new TrappedCall.Listen(100, 9);
    }

    /** What the look at a listening TCP socket finds: its own address. */
    private static CallerFacts listening(ListenAddress local) {
        return new CallerFacts(Optional.of(new SocketKind(local.family(), SocketType.STREAM, true)), Optional.empty(), Optional.empty(),
                Optional.of(local));
    }

    private static TrappedCall.Connect connect(ListenAddress to) {
        return new TrappedCall.Connect(100, 7, Optional.of(to));
    }

    private static final SocketKind UNIX_STREAM = new SocketKind(Family.UNIX, SocketType.STREAM, false);

    private static CallerFacts looked(SocketKind kind, Optional<FileId> file) {
        return new CallerFacts(Optional.of(kind), Optional.empty(), file);
    }

    private static final String REFUSED = "ECONNREFUSED: the program has not bound passed fd 4 \"app\" (/run/app.sock) yet;"
            + " without socket activation nobody would listen there";

    @Test
    void aConnectToAPassedUnixSocketBeforeTheProgramBindsItIsRefusedAsWithNobodyThereAndRunsUntouchedAfter() {
        Decider d = new Decider(new AddressMatcher(List.of(UNIX), List.of()), false, List.of(UNIX));
        TrappedCall.Connect probe = connect(UNIX.address());
        assertEquals(new Decision.LookCloser(), d.first(probe));
        assertEquals(new Decision.Refuse(Errno.ECONNREFUSED, REFUSED, false), d.connect(probe, looked(UNIX_STREAM, Optional.of(APP_FILE))));
        assertInstanceOf(Decision.Inject.class, d.bind(bind(UNIX.address()), new CallerFacts(Optional.of(UNIX_STREAM),
                Optional.of(new FdFlags(false, false)), Optional.of(APP_FILE))));
        assertEquals(new Decision.Continue("every passed socket is bound"), d.first(probe), "its own health check, without a look");
        assertInstanceOf(Decision.Continue.class, d.connect(probe, looked(UNIX_STREAM, Optional.of(APP_FILE))));
    }

    @Test
    void aConnectIsRefusedOnlyWhereItReachesTheUnboundPassedSocket() {
        Decider d = byAddress(false);
        TrappedCall.Connect spelt = connect(new ListenAddress.Unix("/var/run/app.sock", false));
        assertEquals(new Decision.LookCloser(), d.first(spelt), "another spelling may name the passed file");
        assertEquals(new Decision.Refuse(Errno.ECONNREFUSED, REFUSED, false), d.connect(spelt, looked(UNIX_STREAM, Optional.of(APP_FILE))));
        assertInstanceOf(Decision.Continue.class, d.connect(spelt, looked(UNIX_STREAM, Optional.of(new FileId(8, 99)))), "another file");
        assertInstanceOf(Decision.Continue.class, d.connect(spelt, looked(UNIX_STREAM, Optional.empty())), "no file there");
        assertInstanceOf(Decision.Continue.class, d.connect(spelt, looked(new SocketKind(Family.UNIX, SocketType.DGRAM, false),
                Optional.of(APP_FILE))), "a datagram socket: the kernel says EPROTOTYPE");
        assertInstanceOf(Decision.Continue.class, d.connect(spelt, new CallerFacts(Optional.empty(), Optional.empty(), Optional.of(APP_FILE))),
                "not a socket bandaid can see");
        assertInstanceOf(Decision.Continue.class, d.first(connect(new ListenAddress.Unix("other", true))), "an abstract name never passed");
        assertEquals(new Decision.Continue("reaches no passed socket the program has not bound yet"),
                d.first(connect(new ListenAddress.Unix("/run/upstream.sock", false))), "another file's name: no look");
        assertInstanceOf(Decision.Continue.class, d.first(new TrappedCall.Connect(100, 7, Optional.empty())), "unreadable");
    }

    @Test
    void aTcpConnectReachesAPassedListenerOfItsPortByItsAddressOrThroughTheLoopbackToAWildcard() {
        PassedSocket any4 = inet(3, "any4", SocketType.STREAM, Family.INET, 5000, false);
        PassedSocket any6 = inet(4, "any6", SocketType.STREAM, Family.INET6, 5000, true);
        PassedSocket dual = inet(5, "dual", SocketType.STREAM, Family.INET6, 6000, false);
        PassedSocket udp = inet(6, "udp", SocketType.DGRAM, Family.INET, 7000, false);
        ListenAddress.Inet loop6 = new ListenAddress.Inet(Family.INET6, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 5000);
        assertTrue(Probes.mayReach(any4, local(5000)));
        assertTrue(Probes.mayReach(any4, new ListenAddress.Inet(Family.INET, ANY4, 5000)), "0.0.0.0 connects to this host");
        assertTrue(!Probes.mayReach(any4, new ListenAddress.Inet(Family.INET, new byte[] {10, 0, 0, 1}, 5000)), "maybe another host");
        assertTrue(!Probes.mayReach(any4, local(5001)));
        assertTrue(!Probes.mayReach(any4, loop6), "an IPv4 listener never hears IPv6");
        assertTrue(Probes.mayReach(any6, loop6));
        assertTrue(!Probes.mayReach(any6, local(5000)), "IPV6_V6ONLY=1 hears no IPv4");
        assertTrue(Probes.mayReach(dual, local(6000)), "a dual-stack [::] hears IPv4");
        assertTrue(!Probes.mayReach(udp, local(7000)), "UDP's connect() reaches no listener");
    }

    @Test
    void aProgramThatListensWhereNothingWasPassedIsToldOnceWhichLinePassesIt() {
        Decider d = byAddress(false);
        d.bind(bind(WEB.address()), OPEN_TCP);
        assertEquals(new Decision.Continue("no socket of the program's own is bound to a listening address"), d.first(listen()),
                "a passed socket's listen(), without a look");
        ListenAddress own = new ListenAddress.Inet(Family.INET6, new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 323);
        CallerFacts tcp6 = new CallerFacts(Optional.of(new SocketKind(Family.INET6, SocketType.STREAM, true)),
                Optional.of(new FdFlags(true, false)), Optional.empty());
        assertEquals(List.of(), ((Decision.Continue) d.bind(bind(own), tcp6)).warnings(), "a TCP socket may be a client's");
        assertEquals(new Decision.LookCloser(), d.first(listen()));
        assertEquals(new Decision.Continue("not a socket the program bound to a listening address of its own"),
                d.listen(listen(), listening(local(40000))), "a listener on an ephemeral port");
        Decision.Continue listens = (Decision.Continue) d.listen(listen(), listening(own));
        assertEquals(List.of("listens on [::1]:323 (TCP), which no passed socket has: systemd does not hold it, and clients there"
                + " reach the program only while it runs; to have it passed, add ListenStream=[::1]:323"), listens.warnings());
        assertEquals(new Decision.Continue("no socket of the program's own is bound to a listening address"), d.first(listen()));
        CallerFacts gram = new CallerFacts(Optional.of(new SocketKind(Family.UNIX, SocketType.DGRAM, false)),
                Optional.of(new FdFlags(true, false)), Optional.empty());
        assertEquals(List.of("listens on /run/chrony/chronyd.sock (unix datagram), which no passed socket has: systemd does not hold it,"
                        + " and clients there reach the program only while it runs; to have it passed, add ListenDatagram=/run/chrony/chronyd.sock"),
                ((Decision.Continue) d.bind(bind(new ListenAddress.Unix("/run/chrony/chronyd.sock", false)), gram)).warnings(),
                "a datagram socket serves once bound");
    }

    private static final byte[] ANY4 = new byte[4];
    private static final byte[] ANY6 = new byte[16];

    private static PassedSocket inet(int fd, String name, SocketType type, Family family, int port, boolean v6Only) {
        ListenAddress.Inet address = new ListenAddress.Inet(family, family == Family.INET ? ANY4 : ANY6, port);
        return new PassedSocket(fd, name, family, type, 0, address, type == SocketType.STREAM, false, v6Only);
    }

    private static Decider byAddress(boolean strict, PassedSocket... passed) {
        return new Decider(new AddressMatcher(List.of(passed), List.of()), strict, List.of(passed));
    }

    private static TrappedCall.Bind bindAny(Family family, int port) {
        return bind(new ListenAddress.Inet(family, family == Family.INET ? ANY4 : ANY6, port));
    }

    private static CallerFacts facts(Family family, SocketType type, Optional<Boolean> v6Only) {
        return new CallerFacts(Optional.of(new SocketKind(family, type, v6Only)), Optional.of(new FdFlags(true, false)), Optional.empty(), OptionalLong.of(INODE));
    }

    /**
     * dnsmasq (wildcard mode) under a unit passing 0.0.0.0:53 only: its IPv6 binds get no IPv4
     * socket and bind their own, and each says once why and which unit line would pass one.
     */
    @Test
    void anIpv6BindIsNotGivenAnIpv4SocketAndSaysWhyOncePerSocket() {
        PassedSocket tcp = inet(3, "dns-tcp", SocketType.STREAM, Family.INET, 53, false);
        PassedSocket udp = inet(4, "dns-udp", SocketType.DGRAM, Family.INET, 53, false);
        Decider d = byAddress(false, tcp, udp);
        CallerFacts v4Udp = facts(Family.INET, SocketType.DGRAM, Optional.of(false));
        CallerFacts v6Udp = facts(Family.INET6, SocketType.DGRAM, Optional.of(true));
        CallerFacts v6Tcp = facts(Family.INET6, SocketType.STREAM, Optional.of(true));
        assertEquals(List.of(), ((Decision.Inject) d.bind(bindAny(Family.INET, 53), v4Udp)).warnings(), "its own family: nothing to say");

        Decision.Continue first = (Decision.Continue) d.bind(bindAny(Family.INET6, 53), v6Udp);
        assertEquals(List.of("bind([::]:53) on an AF_INET6 socket gets no passed socket: passed fd 4 \"dns-udp\" (0.0.0.0:53) is AF_INET,"
                + " on which its IPv6-level socket options would fail (ENOPROTOOPT), and it set IPV6_V6ONLY=1; the program binds its own"
                + " socket, which systemd does not hold; to have it passed too, add ListenDatagram=[::]:53 with BindIPv6Only=ipv6-only"),
                first.warnings());
        Decision.Continue tcpToo = (Decision.Continue) d.bind(bindAny(Family.INET6, 53), v6Tcp);
        assertEquals(1, tcpToo.warnings().size(), "another passed socket: said too");
        assertTrue(tcpToo.warnings().getFirst().contains("ListenStream=[::]:53"), tcpToo.warnings().toString());
        assertEquals(List.of(), ((Decision.Continue) d.bind(bindAny(Family.INET6, 53), v6Udp)).warnings(), "said once");

        Decision.Refuse strict = (Decision.Refuse) byAddress(true, tcp, udp).bind(bindAny(Family.INET6, 53), v6Udp);
        assertEquals(Errno.EACCES, strict.errno());
        assertTrue(strict.why().startsWith("--strict: bind([::]:53)"), strict.why());
    }

    /**
     * postgres (listen_addresses='*': 0.0.0.0 and [::] with IPV6_V6ONLY=1) under a unit passing
     * one dual-stack socket: both binds get it, and the program hears once what it will see and
     * the lines of the split unit (issue 25: one line an admin can paste, not one per bind).
     */
    @Test
    void aDualStackSocketServesBothBindsOfASplitProgramAndTheFixIsSaidOnceForIt() {
        PassedSocket dual = inet(3, "pg", SocketType.STREAM, Family.INET6, 5432, false);
        PassedSocket other = inet(4, "other", SocketType.STREAM, Family.INET, 9000, false);
        Decider d = byAddress(false, dual, other);
        CallerFacts v4 = facts(Family.INET, SocketType.STREAM, Optional.of(false));
        CallerFacts v6Only = facts(Family.INET6, SocketType.STREAM, Optional.of(true));
        assertEquals(List.of(), ((Decision.Inject) d.bind(bindAny(Family.INET, 9000), v4)).warnings(), "spends no warning");

        Decision.Inject four = (Decision.Inject) d.bind(bindAny(Family.INET, 5432), v4);
        assertEquals(dual, four.socket());
        assertEquals(List.of("bind(0.0.0.0:5432) gets passed fd 3 \"pg\" ([::]:5432), one dual-stack socket for both families: IPv4"
                + " clients arrive as ::ffff:a.b.c.d, which access rules written for IPv4 addresses do not match; fix, in the .socket"
                + " unit: ListenStream=0.0.0.0:5432 ListenStream=[::]:5432 BindIPv6Only=ipv6-only"), four.warnings());
        assertEquals(List.of(), ((Decision.Inject) d.bind(bindAny(Family.INET, 5432), v4)).warnings(), "a worker's bind: said once");

        Decision.Inject six = (Decision.Inject) d.bind(bindAny(Family.INET6, 5432), v6Only);
        assertEquals(dual, six.socket());
        assertEquals(List.of(), six.warnings(), "the same fix: said once for the socket, not once per bind");
        Decision.Inject sixFirst = (Decision.Inject) byAddress(false, dual).bind(bindAny(Family.INET6, 5432), v6Only);
        assertEquals(List.of("bind([::]:5432) with IPV6_V6ONLY=1 gets passed fd 3 \"pg\" ([::]:5432), one dual-stack socket for both"
                + " families: it receives IPv4 clients too, as ::ffff:a.b.c.d, and a bind of 0.0.0.0:5432 gets this same socket; fix,"
                + " in the .socket unit: ListenStream=0.0.0.0:5432 ListenStream=[::]:5432 BindIPv6Only=ipv6-only"), sixFirst.warnings(),
                "an IPv6-only bind first");

        CallerFacts unknown = facts(Family.INET6, SocketType.STREAM, Optional.empty());
        Decision.Inject unseen = (Decision.Inject) byAddress(false, dual).bind(bindAny(Family.INET6, 5432), unknown);
        assertEquals(List.of(), unseen.warnings(), "IPV6_V6ONLY unknown (another seccomp filter): nothing to say about it");
    }

    @Test
    void aDualStackProgramOnAnIpv6OnlySocketIsToldItServesIpv6Only() {
        PassedSocket v6Only = inet(3, "web6", SocketType.STREAM, Family.INET6, 8080, true);
        Decision.Inject i = (Decision.Inject) byAddress(false, v6Only).bind(bindAny(Family.INET6, 8080),
                facts(Family.INET6, SocketType.STREAM, Optional.of(false)));
        assertEquals(List.of("bind([::]:8080) on an AF_INET6 socket with IPV6_V6ONLY=0 gets passed fd 3 \"web6\" ([::]:8080), which has"
                + " IPV6_V6ONLY=1: it serves IPv6 clients only; for one dual-stack socket pass ListenStream=[::]:8080 with"
                + " BindIPv6Only=both"), i.warnings());
    }

    @Test
    void aGoServerOnAnIpv4UnitIsToldItServesIpv4Only() {
        PassedSocket four = inet(3, "web", SocketType.STREAM, Family.INET, 8080, false);
        Decision.Inject i = (Decision.Inject) byAddress(false, four).bind(bindAny(Family.INET6, 8080),
                facts(Family.INET6, SocketType.STREAM, Optional.of(false)));
        assertEquals(List.of("bind([::]:8080) on an AF_INET6 socket with IPV6_V6ONLY=0 gets passed fd 3 \"web\" (0.0.0.0:8080), an AF_INET"
                + " socket, as no IPv6 socket for port 8080 was passed: it serves IPv4 clients only, getsockname() and accept() give AF_INET"
                + " addresses, and IPv6-level socket options fail (ENOPROTOOPT); to serve IPv6 too, pass one dual-stack socket,"
                + " ListenStream=[::]:8080 with BindIPv6Only=both"), i.warnings());
    }
}
