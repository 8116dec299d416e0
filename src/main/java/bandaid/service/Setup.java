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
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
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
     * @throws BandaidException USAGE for --exit-idle-time without a stream socket; CONFIG for a
     *                          --map naming no passed socket
     */
    public static Setup of(List<PassedSocket> passed, String match, List<MapRule> maps, Optional<Duration> exitIdle)
            throws BandaidException {
        FdMatcher matcher;
        if (match.equals("socket")) {
            matcher = new SocketOrderMatcher(passed);
        } else {
            MapRule.checkNames(maps, passed);
            matcher = new AddressMatcher(passed, maps);
        }
        if (exitIdle.isPresent() && !IdleWatch.watchesAnything(passed)) {
            throw new BandaidException(ExitCode.USAGE,
                    "--exit-idle-time needs a passed stream socket: bandaid counts connections, and datagram sockets have none");
        }
        TrapPlan plan = new TrapPlan(matcher.needsSocketCalls() ? kinds(passed) : Map.of(), true, Decider.keepsPaths(passed));
        return new Setup(passed, matcher, plan);
    }

    public Decider decider(boolean strict) {
        return new Decider(matcher, strict, passed);
    }

    /** A decider that takes over from an earlier one ({@link Decider#Decider(FdMatcher, boolean, List, Map, Decider.Handouts)}). */
    public Decider decider(boolean strict, Map<PassedSocket, Boolean> handedOut, Decider.Handouts handouts) {
        return new Decider(matcher, strict, passed, handedOut, handouts);
    }

    /** The families and types of the passed sockets: socket() is trapped only for these. */
    private static Map<Family, Set<SocketType>> kinds(List<PassedSocket> passed) {
        Map<Family, Set<SocketType>> kinds = new HashMap<>();
        for (PassedSocket p : passed) {
            kinds.computeIfAbsent(p.family(), f -> EnumSet.noneOf(SocketType.class)).add(p.type());
        }
        return kinds;
    }
}
