package bandaid.matching;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import java.util.Optional;

/**
 * Which passed socket may serve which socket of the program, by address family and IPV6_V6ONLY, and
 * what to tell the user when the two differ (the rules, and the programs behind each: README.md,
 * "Address families"). One of the program's own family and IPV6_V6ONLY first; never an IPv4 socket
 * to an IPv6 bind with IPV6_V6ONLY=1 or unseen (its next IPv6-level option, IPV6_RECVPKTINFO, fails
 * with ENOPROTOOPT on AF_INET: ip_setsockopt knows only SOL_IP); an IPv4 socket to a dual-stack
 * [::] bind, or a dual-stack one to an IPv4 or IPV6_V6ONLY=1 bind, only when nothing closer fits,
 * since the program's own bind would fail with EADDRINUSE against it. Where the program's
 * IPV6_V6ONLY could not be read, any IPv6 socket fits its IPv6 bind, and nothing is said.
 */
final class Families {
    private Families() {
    }

    /**
     * How well {@code passed} serves the program's socket for {@code bind}: lower is better; empty
     * when it must never be handed over.
     */
    static Optional<Integer> rank(PassedSocket passed, SocketCall.Bind bind) {
        Family program = programFamily(bind);
        if (program == Family.INET) {
            return passed.family() == Family.INET ? Optional.of(0) : receivesIpv4(passed) ? Optional.of(1) : Optional.empty();
        }
        if (program == Family.INET6 && passed.family() == Family.INET) {
            return wantsIpv4(bind) ? Optional.of(2) : Optional.empty();
        }
        if (passed.family() != program) {
            return Optional.empty();
        }
        return Optional.of(programV6Only(bind).map(v6Only -> v6Only == passed.v6Only() ? 0 : 1).orElse(0));
    }

    /**
     * What the program will see that it did not ask for, said at warning level.
     *
     * @param text    the line
     * @param onceKey what makes it worth saying again: a program that splits the families (an
     *                IPv4 bind and an IPv6-only one) hears of the one dual-stack socket once, not
     *                once per bind, since the fix is the same lines
     */
    record Note(String text, String onceKey) {
        Note(String text) {
            this(text, text);
        }
    }

    /** What the program will see that it did not ask for, if anything. */
    static Optional<Note> handout(PassedSocket passed, SocketCall.Bind bind) {
        String asked = "bind(" + bind.address() + ") on an " + programFamily(bind) + " socket";
        String port = port(bind.address());
        String split = "split " + passed.fd();
        if (programFamily(bind) == Family.INET && passed.family() == Family.INET6) {
            // accept(2) and recvfrom(2) truncate an address longer than the caller's buffer: a
            // program that sized it for sockaddr_in reads a clipped sockaddr_in6. IP-level options
            // still work: ipv6_setsockopt hands SOL_IP to ip_setsockopt.
            return Optional.of(new Note("bind(" + bind.address() + ") gets passed " + passed.describe() + ", one dual-stack socket"
                    + " for both families: IPv4 clients arrive as ::ffff:a.b.c.d" + (passed.type() == SocketType.DGRAM
                    ? " with IPv6 packet info" : "") + ", which access rules written for IPv4 addresses do not"
                    + " match; " + splitFix(passed.type(), port), split));
        }
        if (programFamily(bind) == Family.INET6 && passed.family() == Family.INET) {
            String sees = "getsockname() and accept() give AF_INET addresses, and IPv6-level socket options fail (ENOPROTOOPT)";
            if (Addresses.isV4Mapped(bind.address())) {
                // The JDK binds 127.0.0.1 as [::ffff:127.0.0.1] on a dual-stack socket.
                return Optional.of(new Note(asked + " gets passed " + passed.describe() + ", an AF_INET socket: " + sees
                        + "; if the program minds, pass " + directive(passed.type()) + "=" + bind.address()));
            }
            return Optional.of(new Note(asked + " with IPV6_V6ONLY=0 gets passed " + passed.describe() + ", an AF_INET socket, as no"
                    + " IPv6 socket for port " + port + " was passed: it serves IPv4 clients only, " + sees + "; to serve IPv6 too,"
                    + " pass one dual-stack socket, " + directive(passed.type()) + "=[::]:" + port + " with BindIPv6Only=both"));
        }
        if (passed.family() != Family.INET6 || programV6Only(bind).isEmpty() || programV6Only(bind).get() == passed.v6Only()) {
            return Optional.empty();
        }
        if (passed.v6Only() && isWildcard(bind.address())) {
            return Optional.of(new Note(asked + " with IPV6_V6ONLY=0 gets passed " + passed.describe() + ", which has IPV6_V6ONLY=1:"
                    + " it serves IPv6 clients only; for one dual-stack socket pass " + directive(passed.type()) + "=[::]:" + port
                    + " with BindIPv6Only=both"));
        }
        if (!passed.v6Only() && receivesIpv4(passed)) {
            return Optional.of(new Note("bind(" + bind.address() + ") with IPV6_V6ONLY=1 gets passed " + passed.describe()
                    + ", one dual-stack socket for both families: it receives IPv4 clients too, as ::ffff:a.b.c.d, and a bind of"
                    + " 0.0.0.0:" + port + " gets this same socket; " + splitFix(passed.type(), port), split));
        }
        return Optional.empty();
    }

    /** Why the program gets none of the passed sockets for its address: {@code kept} is of the wrong family. */
    static String keptBack(PassedSocket kept, SocketCall.Bind bind) {
        String why = programFamily(bind) == Family.INET6
                ? "is AF_INET, on which its IPv6-level socket options would fail (ENOPROTOOPT), and "
                        + (programV6Only(bind).isPresent() ? "it set IPV6_V6ONLY=1" : "bandaid cannot see whether it set IPV6_V6ONLY")
                : "never receives IPv4" + (kept.v6Only() ? " (IPV6_V6ONLY=1)" : "");
        String unitLine = directive(kept.type()) + "=" + bind.address()
                + (programFamily(bind) == Family.INET6 && isWildcard(bind.address()) ? " with BindIPv6Only=ipv6-only" : "");
        return "bind(" + bind.address() + ") on an " + programFamily(bind) + " socket gets no passed socket: passed "
                + kept.describe() + " " + why + "; the program binds its own socket, which systemd does not hold; to have it passed too,"
                + " add " + unitLine;
    }

    /**
     * The split form of a unit, the lines an admin pastes into the .socket unit in place of its
     * dual-stack line: one IPv4 and one IPv6-only socket, each family served apart as the program
     * meant (BindIPv6Only= holds for the whole unit, systemd.socket(5)).
     */
    static String splitFix(SocketType type, String port) {
        return "fix, in the .socket unit: " + directive(type) + "=0.0.0.0:" + port + " " + directive(type) + "=[::]:" + port
                + " BindIPv6Only=ipv6-only";
    }

    /** The family of the program's socket; the address's where bandaid could not look. */
    private static Family programFamily(SocketCall.Bind bind) {
        return bind.socket().map(SocketKind::family).orElse(bind.address().family());
    }

    private static Optional<Boolean> programV6Only(SocketCall.Bind bind) {
        return bind.socket().flatMap(SocketKind::v6Only);
    }

    /** An IPv6 bind that asked for IPv4 too: IPV6_V6ONLY=0 on [::] or on an IPv4-mapped address. */
    private static boolean wantsIpv4(SocketCall.Bind bind) {
        return programV6Only(bind).equals(Optional.of(false)) && (isWildcard(bind.address()) || Addresses.isV4Mapped(bind.address()));
    }

    /** A dual-stack [::] socket, or one bound to an IPv4-mapped address (ipv6(7)). */
    private static boolean receivesIpv4(PassedSocket p) {
        return p.family() == Family.INET6 && !p.v6Only() && (isWildcard(p.address()) || Addresses.isV4Mapped(p.address()));
    }

    private static boolean isWildcard(ListenAddress a) {
        return a instanceof ListenAddress.Inet inet && inet.isWildcard();
    }

    private static String port(ListenAddress a) {
        return a instanceof ListenAddress.Inet inet ? Integer.toString(inet.port()) : "?";
    }

    private static String directive(SocketType type) {
        return UnitLines.directive(type);
    }
}
