package bandaid.matching;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.socket.PassedSocket;
import java.util.List;

/**
 * {@code --map NAME=ADDRESS}: a bind() to ADDRESS gets the passed socket named NAME
 * (LISTEN_FDNAMES, set by FileDescriptorName= in the .socket unit), whatever its own address is.
 */
public record MapRule(String name, AddressPattern pattern) {

    public static MapRule parse(String text) throws BandaidException {
        int eq = text.indexOf('=');
        if (eq <= 0) {
            throw new BandaidException(ExitCode.USAGE, "--map " + text + ": expected NAME=ADDRESS");
        }
        String address = text.substring(eq + 1);
        AddressPattern pattern = AddressPattern.parse(address).orElseThrow(() -> new BandaidException(ExitCode.USAGE,
                "--map " + text + ": " + address + " is not an address; use " + AddressPattern.SYNTAX));
        return new MapRule(text.substring(0, eq), pattern);
    }

    /** The rule as --map takes it again: {@code NAME=ADDRESS}. */
    public String text() {
        return name + "=" + pattern;
    }

    /** Each rule must name a passed socket: a typo would otherwise silently do nothing. */
    public static void checkNames(List<MapRule> rules, List<PassedSocket> passed) throws BandaidException {
        for (MapRule rule : rules) {
            if (passed.stream().noneMatch(p -> p.name().equals(rule.name()))) {
                throw new BandaidException(ExitCode.CONFIG, "--map " + rule.name() + "=" + rule.pattern()
                        + ": no passed socket is named " + rule.name() + " (LISTEN_FDNAMES has "
                        + String.join(", ", passed.stream().map(p -> "\"" + p.name() + "\"").toList())
                        + "; set names with FileDescriptorName= in the .socket unit)");
            }
        }
    }
}
