package bandaid.service;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.matching.AddressMatcher;
import bandaid.matching.Decider;
import bandaid.matching.FdMatcher;
import bandaid.matching.MapRule;
import bandaid.matching.SocketOrderMatcher;
import bandaid.nativeaccess.TrapPlan;
import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the passed sockets and the options make of one service, checked before the program starts:
 * the matcher, and what the filter traps. The same wherever the program's calls are answered.
 */
public record Setup(List<PassedSocket> passed, FdMatcher matcher, TrapPlan plan) {
    public Setup {
        passed = List.copyOf(passed);
    }

    /**
     * @throws BandaidException USAGE for --exit-idle-time with a socket whose use it cannot count
     *                          or none it can; CONFIG for a --map naming no passed socket
     */
    public static Setup of(List<PassedSocket> passed, String match, List<MapRule> maps, boolean strict, Optional<Duration> exitIdle)
            throws BandaidException {
        FdMatcher matcher;
        if (match.equals("socket")) {
            matcher = new SocketOrderMatcher(passed);
        } else {
            MapRule.checkNames(maps, passed);
            matcher = new AddressMatcher(passed, maps);
        }
        if (exitIdle.isPresent()) {
            Optional<PassedSocket> uncountable = IdleWatch.uncountable(passed);
            if (uncountable.isPresent()) {
                throw new BandaidException(ExitCode.USAGE, "--exit-idle-time cannot tell when passed " + uncountable.get().describe()
                        + " is in use: datagrams on a unix socket leave no trace bandaid can read, so the program would be stopped"
                        + " in the middle of its traffic; pass stream, seqpacket or UDP sockets only, or run without --exit-idle-time");
            }
            if (!IdleWatch.watchesAnything(passed)) {
                throw new BandaidException(ExitCode.USAGE,
                        "--exit-idle-time needs a passed stream, seqpacket or UDP socket: bandaid counts connections and datagrams");
            }
        }
        // listen() always: one call per listening socket, which tells a listener nothing was passed
        // for from a client that bound a fixed port (under --strict such binds are refused, and
        // each listen() continues at once)
        // --strict traps io_uring_setup too: a bind through a ring would pass no filter.
        TrapPlan plan = new TrapPlan(matcher.needsSocketCalls() ? kinds(passed) : Map.of(), true, Decider.keepsPaths(passed), true,
                connects(passed), strict);
        return new Setup(passed, matcher, plan);
    }

    public Decider decider(boolean strict) {
        return new Decider(matcher, strict, passed);
    }

    /** A decider that takes over from an earlier one ({@link Decider#Decider(FdMatcher, boolean, List, Map, Decider.Handouts)}). */
    public Decider decider(boolean strict, Map<PassedSocket, Boolean> handedOut, Decider.Handouts handouts) {
        return new Decider(matcher, strict, passed, handedOut, handouts);
    }

    /**
     * Which connect() calls reach bandaid: those that may be a program's check of its own unix
     * socket before it binds it (mariadbd, pgbouncer), only when a unix socket was passed. The
     * filter sees the address's length, not the address, and cannot be changed later: what it
     * traps, it traps for the whole run, so it traps only the lengths such a check can have:
     * sizeof(struct sockaddr_un) (what C programs pass: mariadbd, pgbouncer, libuv), and
     * offsetof(sun_path) plus each passed name's length, with and without its NUL (what python
     * and Go pass; an abstract name's leading NUL included). A program's outbound TCP never
     * reaches bandaid (scripts/bench part 9 measures what a trapped connect costs a proxy).
     */
    static TrapPlan.Connects connects(List<PassedSocket> passed) {
        Set<Integer> lengths = new HashSet<>();
        for (PassedSocket p : passed) {
            if (p.address() instanceof ListenAddress.Unix u && !u.isUnnamed()) {
                int length = UNIX_PATH_OFFSET + u.name().length + (u.isAbstract() ? 1 : 0);
                lengths.addAll(List.of(UNIX_ADDRESS_SIZE, length, length + 1));
            }
        }
        return TrapPlan.Connects.ofLengths(lengths);
    }

    /** offsetof(struct sockaddr_un, sun_path) and sizeof(struct sockaddr_un) (unix(7)). */
    private static final int UNIX_PATH_OFFSET = 2;
    private static final int UNIX_ADDRESS_SIZE = 110;

    /** The families and types of the passed sockets: socket() is trapped only for these. */
    private static Map<Family, Set<SocketType>> kinds(List<PassedSocket> passed) {
        Map<Family, Set<SocketType>> kinds = new HashMap<>();
        for (PassedSocket p : passed) {
            kinds.computeIfAbsent(p.family(), f -> EnumSet.noneOf(SocketType.class)).add(p.type());
        }
        return kinds;
    }
}
