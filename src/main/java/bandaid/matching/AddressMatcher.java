package bandaid.matching;

import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The default strategy ({@code --match=address}): socket() is left alone, and each bind() gets the
 * passed socket for the address it asks for, put on the program's own fd, so options set before
 * bind() (IPV6_V6ONLY, SO_REUSEADDR) never fail, outbound sockets never get a passed socket, and a
 * bind of the same address again (a re-exec, a reload) gets the same socket. Rules, first match
 * wins (README.md, "Matching"): {@code --map NAME=ADDRESS}; the exact address (::ffff:a.b.c.d is
 * a.b.c.d; a unix path by its file); the same port where either side is a wildcard. Only a socket
 * of the program's own type, and among a rule's sockets the family rules choose ({@link Families}).
 */
public final class AddressMatcher implements FdMatcher {
    private final List<PassedSocket> passed;
    private final List<MapRule> rules;

    public AddressMatcher(List<PassedSocket> passed, List<MapRule> rules) {
        this.passed = List.copyOf(passed);
        this.rules = List.copyOf(rules);
    }

    @Override
    public Optional<PassedSocket> match(SocketCall call) {
        return call instanceof SocketCall.Bind bind ? matchBind(bind) : Optional.empty();
    }

    @Override
    public boolean couldMatch(ListenAddress address) {
        if (address.isEphemeral()) {
            return false;
        }
        // A unix path may name a passed socket's file under another spelling (/var/run is /run,
        // a symlinked directory, a relative path): only the file itself can tell.
        if (address instanceof ListenAddress.Unix u && u.isPath() && passed.stream().anyMatch(p -> p.file().isPresent())) {
            return true;
        }
        return rules.stream().anyMatch(r -> r.pattern().matches(address))
                || passed.stream().anyMatch(p -> Addresses.sameAddress(p.address(), address) || samePortOneWildcard(p.address(), address));
    }

    /** The candidate the family rules rank best (the first of equals). */
    private Optional<PassedSocket> matchBind(SocketCall.Bind bind) {
        // A loop, not Comparator.comparingInt: the JDK's lambda in it is spun on the first bind
        // (the AOT cache does not keep it), on the way to the first answer (BENCHMARKS.md).
        PassedSocket best = null;
        int bestRank = Integer.MAX_VALUE;
        for (PassedSocket p : candidates(bind)) {
            Optional<Integer> rank = Families.rank(p, bind);
            if (rank.isPresent() && rank.get() < bestRank) {
                best = p;
                bestRank = rank.get();
            }
        }
        return Optional.ofNullable(best);
    }

    @Override
    public Optional<PassedSocket> keptByFamily(SocketCall.Bind bind) {
        return matchBind(bind).isPresent() ? Optional.empty() : candidates(bind).stream().findFirst();
    }

    /**
     * The passed sockets of the program's type for this bind, before the family rules
     * ({@link Families}) choose among them: those --map names for the address (then no other rule
     * applies); else those with exactly its address or file, or else those of its port where one
     * side is the wildcard, whichever first has one the family rules allow.
     */
    private List<PassedSocket> candidates(SocketCall.Bind bind) {
        ListenAddress asked = bind.address();
        if (asked.isEphemeral()) {
            return List.of();
        }
        Predicate<PassedSocket> sameType = p -> bind.socket().map(s -> s.type() == p.type()).orElse(true);
        // --map: the sockets of the rules for this address whose type is the program's
        // (--map tcp=P --map udp=P gives each its own).
        List<PassedSocket> mapped = rules.stream().filter(r -> r.pattern().matches(asked))
                .flatMap(r -> passed.stream().filter(p -> p.name().equals(r.name()))).toList();
        if (!mapped.isEmpty()) {
            return mapped.stream().filter(sameType).toList();
        }
        List<PassedSocket> exact = passed.stream().filter(sameType)
                .filter(p -> Addresses.sameAddress(p.address(), asked) || sameFile(p, bind)).toList();
        List<PassedSocket> samePort = passed.stream().filter(sameType)
                .filter(p -> samePortOneWildcard(p.address(), asked)).toList();
        List<List<PassedSocket>> rulesInOrder = List.of(exact, samePort);
        return rulesInOrder.stream().filter(c -> c.stream().anyMatch(p -> Families.rank(p, bind).isPresent())).findFirst()
                .orElseGet(() -> rulesInOrder.stream().filter(c -> !c.isEmpty()).findFirst().orElse(List.of()));
    }

    /** The passed socket's file is the one the program's path names, however it is spelt. */
    private static boolean sameFile(PassedSocket p, SocketCall.Bind bind) {
        return p.file().isPresent() && p.file().equals(bind.file());
    }

    private static boolean samePortOneWildcard(ListenAddress passed, ListenAddress asked) {
        return passed instanceof ListenAddress.Inet p && asked instanceof ListenAddress.Inet a
                && p.port() == a.port() && (p.isWildcard() || a.isWildcard());
    }

    @Override
    public boolean needsSocketCalls() {
        return false;
    }

    @Override
    public String name() {
        return "address";
    }
}
