package bandaid.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The README's matching table, rule by rule. */
class AddressMatcherTest {
    private static final byte[] ANY4 = {0, 0, 0, 0};
    private static final byte[] LOOPBACK4 = {127, 0, 0, 1};
    private static final byte[] ANY6 = new byte[16];
    private static final byte[] LOOPBACK6 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

    private static ListenAddress.Inet v4(byte[] a, int port) {
        return new ListenAddress.Inet(Family.INET, a, port);
    }

    private static ListenAddress.Inet v6(byte[] a, int port) {
        return new ListenAddress.Inet(Family.INET6, a, port);
    }

    private static PassedSocket passed(int fd, String name, SocketType type, ListenAddress address, boolean v6Only) {
        return new PassedSocket(fd, name, address.family(), type, 0, address, type != SocketType.DGRAM, false, v6Only);
    }

    private static SocketCall.Bind bind(ListenAddress address, Family family, SocketType type) {
        return new SocketCall.Bind(address, Optional.of(new SocketKind(family, type, false)));
    }

    private static SocketCall.Bind bind(ListenAddress address) {
        return bind(address, address.family(), SocketType.STREAM);
    }

    private final PassedSocket http = passed(3, "http", SocketType.STREAM, v4(LOOPBACK4, 8080), false);
    private final PassedSocket https = passed(4, "https", SocketType.STREAM, v4(LOOPBACK4, 8443), false);

    @Test
    void exactAddressWinsWhateverTheOrderOfCalls() {
        AddressMatcher m = new AddressMatcher(List.of(http, https), List.of());
        assertEquals(Optional.of(https), m.match(bind(v4(LOOPBACK4, 8443))));
        assertEquals(Optional.of(http), m.match(bind(v4(LOOPBACK4, 8080))));
        assertEquals(Optional.of(http), m.match(bind(v4(LOOPBACK4, 8080))), "the same address again gets the same socket");
    }

    @Test
    void socketCallsAreNeverAnswered() {
        AddressMatcher m = new AddressMatcher(List.of(http), List.of());
        assertTrue(m.match(new SocketCall.Create(Family.INET, SocketType.STREAM, 0)).isEmpty());
        assertFalse(m.needsSocketCalls());
    }

    @Test
    void portZeroAndOtherPortsAreLeftAlone() {
        AddressMatcher m = new AddressMatcher(List.of(http), List.of());
        assertTrue(m.match(bind(v4(LOOPBACK4, 0))).isEmpty());
        assertTrue(m.match(bind(v4(ANY4, 0))).isEmpty());
        assertTrue(m.match(bind(v4(LOOPBACK4, 2019))).isEmpty());
        assertFalse(m.couldMatch(v4(ANY4, 0)));
        assertFalse(m.couldMatch(v4(LOOPBACK4, 2019)));
        assertTrue(m.couldMatch(v4(LOOPBACK4, 8080)));
    }

    @Test
    void wildcardBindGetsADualStackSocketOfThatPort() {
        PassedSocket dual = passed(3, "web", SocketType.STREAM, v6(ANY6, 8080), false);
        AddressMatcher m = new AddressMatcher(List.of(dual), List.of());
        assertEquals(Optional.of(dual), m.match(bind(v4(ANY4, 8080))));
        assertEquals(Optional.of(dual), m.match(bind(v6(ANY6, 8080))));
        assertEquals(Optional.of(dual), m.match(bind(v4(LOOPBACK4, 8080))), "the unit decides where to listen");
    }

    @Test
    void wildcardPrefersTheProgramsOwnFamily() {
        PassedSocket four = passed(3, "v4", SocketType.STREAM, v4(ANY4, 80), false);
        PassedSocket six = passed(4, "v6", SocketType.STREAM, v6(ANY6, 80), true);
        AddressMatcher m = new AddressMatcher(List.of(four, six), List.of());
        assertEquals(Optional.of(six), m.match(bind(v6(ANY6, 80))));
        assertEquals(Optional.of(four), m.match(bind(v4(ANY4, 80))));
    }

    @Test
    void twoSpecificAddressesOfOnePortEachGetTheirOwn() {
        PassedSocket four = passed(3, "lo4", SocketType.STREAM, v4(LOOPBACK4, 6379), false);
        PassedSocket six = passed(4, "lo6", SocketType.STREAM, v6(LOOPBACK6, 6379), true);
        AddressMatcher m = new AddressMatcher(List.of(four, six), List.of());
        assertEquals(Optional.of(six), m.match(bind(v6(LOOPBACK6, 6379))));
        assertEquals(Optional.of(four), m.match(bind(v4(LOOPBACK4, 6379))));
    }

    @Test
    void v4MappedEqualsIpv4ButAnIpv4SocketNeverServesAnIpv6One() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        PassedSocket mappedSocket = passed(5, "mapped", SocketType.STREAM, v6(mapped, 8080), false);
        AddressMatcher m = new AddressMatcher(List.of(mappedSocket), List.of());
        assertEquals(Optional.of(mappedSocket), m.match(bind(v6(mapped, 8080))));
        assertEquals(Optional.of(mappedSocket), m.match(bind(v4(LOOPBACK4, 8080))), "it receives IPv4");

        AddressMatcher four = new AddressMatcher(List.of(http), List.of());
        assertEquals(Optional.of(http), four.match(bind(v6(mapped, 8080))), "IPV6_V6ONLY=0: it asked for IPv4");
        SocketCall.Bind unseen = bind6(v6(mapped, 8080), SocketType.STREAM, Optional.empty());
        assertEquals(Optional.empty(), four.match(unseen), "IPV6_V6ONLY unknown: its IPv6 options would fail on it");
        assertEquals(Optional.of(http), four.keptByFamily(unseen));
    }

    private static SocketCall.Bind bind6(ListenAddress address, SocketType type, Optional<Boolean> v6Only) {
        return new SocketCall.Bind(address, Optional.of(new SocketKind(Family.INET6, type, v6Only)));
    }

    /** dnsmasq's wildcard mode (IPV6_V6ONLY=1 on [::]) under a unit that passes 0.0.0.0:53 only (issue 14). */
    @Test
    void anIpv6OnlyBindNeverGetsAnIpv4Socket() {
        PassedSocket tcp = passed(3, "dns-tcp", SocketType.STREAM, v4(ANY4, 53), false);
        PassedSocket udp = passed(4, "dns-udp", SocketType.DGRAM, v4(ANY4, 53), false);
        AddressMatcher m = new AddressMatcher(List.of(tcp, udp), List.of());
        assertEquals(Optional.of(udp), m.match(bind(v4(ANY4, 53), Family.INET, SocketType.DGRAM)));
        for (Optional<Boolean> v6Only : List.of(Optional.of(true), Optional.<Boolean>empty())) {
            assertEquals(Optional.empty(), m.match(bind6(v6(ANY6, 53), SocketType.DGRAM, v6Only)), "IPV6_V6ONLY " + v6Only);
            assertEquals(Optional.empty(), m.match(bind6(v6(ANY6, 53), SocketType.STREAM, v6Only)), "IPV6_V6ONLY " + v6Only);
        }
        assertEquals(Optional.of(udp), m.keptByFamily(bind6(v6(ANY6, 53), SocketType.DGRAM, Optional.of(true))));
        assertEquals(Optional.empty(), m.keptByFamily(bind(v4(ANY4, 53), Family.INET, SocketType.DGRAM)), "it got one");
        assertEquals(Optional.empty(), m.keptByFamily(bind(v4(ANY4, 54))), "no socket of that port at all");
    }

    /** Go's runtime binds [::] with IPV6_V6ONLY=0 for ":P" and "0.0.0.0:P" (caddy, webhook). */
    @Test
    void aDualStackBindGetsAnIpv4SocketOnlyWhenNoIpv6SocketFits() {
        PassedSocket four = passed(3, "v4", SocketType.STREAM, v4(LOOPBACK4, 80), false);
        PassedSocket six = passed(4, "v6", SocketType.STREAM, v6(ANY6, 80), true);
        SocketCall.Bind dualStack = bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(false));
        assertEquals(Optional.of(four), new AddressMatcher(List.of(four), List.of()).match(dualStack));
        assertEquals(Optional.of(six), new AddressMatcher(List.of(four, six), List.of()).match(dualStack));
        assertEquals(Optional.empty(), new AddressMatcher(List.of(four), List.of())
                .match(bind6(v6(LOOPBACK6, 80), SocketType.STREAM, Optional.of(false))), "[::1] never asked for IPv4");
    }

    @Test
    void anIpv4BindGetsADualStackSocketOnlyWhenNoIpv4SocketFits() {
        PassedSocket dual = passed(3, "dual", SocketType.STREAM, v6(ANY6, 80), false);
        PassedSocket four = passed(4, "v4", SocketType.STREAM, v4(ANY4, 80), false);
        AddressMatcher m = new AddressMatcher(List.of(dual, four), List.of());
        assertEquals(Optional.of(four), m.match(bind(v4(ANY4, 80))));
        assertEquals(Optional.of(four), m.match(bind(v4(LOOPBACK4, 80))));
        assertEquals(Optional.of(dual), new AddressMatcher(List.of(dual), List.of()).match(bind(v4(LOOPBACK4, 80))));
    }

    @Test
    void anIpv4BindNeverGetsASocketThatCannotReceiveIpv4() {
        PassedSocket v6Only = passed(3, "v6", SocketType.STREAM, v6(ANY6, 80), true);
        PassedSocket loopback6 = passed(4, "lo6", SocketType.STREAM, v6(LOOPBACK6, 80), false);
        AddressMatcher m = new AddressMatcher(List.of(v6Only, loopback6), List.of());
        assertEquals(Optional.empty(), m.match(bind(v4(ANY4, 80))));
        assertEquals(Optional.of(v6Only), m.keptByFamily(bind(v4(ANY4, 80))));
    }

    @Test
    void anIpv6BindPrefersItsOwnV6OnlyAndTakesTheOtherWhenThatIsAll() {
        PassedSocket dual = passed(3, "dual", SocketType.STREAM, v6(ANY6, 80), false);
        PassedSocket v6Only = passed(4, "v6", SocketType.STREAM, v6(ANY6, 80), true);
        AddressMatcher both = new AddressMatcher(List.of(dual, v6Only), List.of());
        assertEquals(Optional.of(v6Only), both.match(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(true))));
        assertEquals(Optional.of(dual), both.match(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(false))));
        assertEquals(Optional.of(dual), both.match(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.empty())), "unknown: the first");
        assertEquals(Optional.of(dual), new AddressMatcher(List.of(dual), List.of())
                .match(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(true))), "postgres, nginx [::]:80 on ListenStream=80");
        assertEquals(Optional.of(v6Only), new AddressMatcher(List.of(v6Only), List.of())
                .match(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(false))), "node on a split unit");
    }

    @Test
    void mapRulesChooseTheSocketsAndTheFamilyRulesAmongThem() throws BandaidException {
        PassedSocket four = passed(3, "v4", SocketType.STREAM, v4(ANY4, 8080), false);
        PassedSocket six = passed(4, "v6", SocketType.STREAM, v6(ANY6, 8080), true);
        AddressMatcher m = new AddressMatcher(List.of(four, six), List.of(MapRule.parse("v4=*:80"), MapRule.parse("v6=*:80")));
        assertEquals(Optional.of(four), m.match(bind(v4(ANY4, 80))));
        assertEquals(Optional.of(six), m.match(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(true))));
        AddressMatcher onlyFour = new AddressMatcher(List.of(four, six), List.of(MapRule.parse("v4=*:80")));
        assertEquals(Optional.empty(), onlyFour.match(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(true))));
        assertEquals(Optional.of(four), onlyFour.keptByFamily(bind6(v6(ANY6, 80), SocketType.STREAM, Optional.of(true))));
    }

    @Test
    void typeTellsTcpFromUdpOnTheSamePort() {
        PassedSocket tcp = passed(3, "dns-tcp", SocketType.STREAM, v4(LOOPBACK4, 53), false);
        PassedSocket udp = passed(4, "dns-udp", SocketType.DGRAM, v4(LOOPBACK4, 53), false);
        AddressMatcher m = new AddressMatcher(List.of(tcp, udp), List.of());
        assertEquals(Optional.of(udp), m.match(bind(v4(LOOPBACK4, 53), Family.INET, SocketType.DGRAM)));
        assertEquals(Optional.of(tcp), m.match(bind(v4(LOOPBACK4, 53), Family.INET, SocketType.STREAM)));
    }

    @Test
    void unixPathsAndAbstractNames() {
        PassedSocket path = passed(3, "app", SocketType.STREAM, new ListenAddress.Unix("/run/app.sock", false), false);
        PassedSocket abs = passed(4, "abs", SocketType.STREAM, new ListenAddress.Unix("app", true), false);
        AddressMatcher m = new AddressMatcher(List.of(path, abs), List.of());
        assertEquals(Optional.of(path), m.match(bind(new ListenAddress.Unix("/run/app.sock", false))));
        assertEquals(Optional.of(abs), m.match(bind(new ListenAddress.Unix("app", true))));
        assertTrue(m.match(bind(new ListenAddress.Unix("/run/app.sock2", false))).isEmpty());
        assertTrue(m.match(bind(new ListenAddress.Unix("", false))).isEmpty(), "autobind is a client's");
    }

    @Test
    void mapRulesWinOverGuessing() throws BandaidException {
        AddressMatcher m = new AddressMatcher(List.of(http, https),
                List.of(MapRule.parse("https=*:443"), MapRule.parse("http=127.0.0.1:8443")));
        assertEquals(Optional.of(https), m.match(bind(v4(ANY4, 443))));
        assertEquals(Optional.of(http), m.match(bind(v4(LOOPBACK4, 8443))), "the map, not the exact address");
    }

    @Test
    void mapSyntax() throws BandaidException {
        assertEquals(new AddressPattern.AnyHost(80), MapRule.parse("web=80").pattern());
        assertEquals(new AddressPattern.AnyHost(80), MapRule.parse("web=*:80").pattern());
        assertEquals("[::1]:443", MapRule.parse("web=[::1]:443").pattern().toString());
        assertEquals("/run/x.sock", MapRule.parse("web=/run/x.sock").pattern().toString());
        assertEquals("@x", MapRule.parse("web=@x").pattern().toString());
        assertEquals("127.0.0.1:80", MapRule.parse("web=[::ffff:127.0.0.1]:80").pattern().toString(), "an IPv4-mapped address is IPv4's");
        String longest = "/" + "x".repeat(AddressPattern.MAX_UNIX_NAME - 1);
        assertEquals(longest, MapRule.parse("web=" + longest).pattern().toString());
        for (String bad : List.of("web", "=80", "web=localhost:80", "web=1.2.3.4:99999", "web=[1.2.3.4]:80", "web=::1:80x",
                "web=" + longest + "x", "web=@" + "x".repeat(AddressPattern.MAX_UNIX_NAME + 1))) {
            assertEquals(ExitCode.USAGE, assertThrows(BandaidException.class, () -> MapRule.parse(bad)).exitCode(), bad);
        }
    }

    @Test
    void mapMustNameAPassedSocket() throws BandaidException {
        BandaidException e = assertThrows(BandaidException.class,
                () -> MapRule.checkNames(List.of(MapRule.parse("htps=443")), List.of(http, https)));
        assertEquals(ExitCode.CONFIG, e.exitCode());
        assertEquals("--map htps=*:443: no passed socket is named htps (LISTEN_FDNAMES has \"http\", \"https\";"
                + " set names with FileDescriptorName= in the .socket unit)", e.getMessage());
    }
}
