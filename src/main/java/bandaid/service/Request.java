package bandaid.service;

import bandaid.activation.ListenEnvironment;
import bandaid.matching.MapRule;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What to run and how, checked: the same whoever supervises the program (this JVM, or the broker).
 *
 * @param program  the program and its arguments, as the bytes bandaid was given
 * @param match    address or socket (--match)
 * @param exitIdle stop the program after this long without a connection (--exit-idle-time)
 * @param verbose  -v: a debug line for every trapped call
 */
public record Request(List<byte[]> program, Environment environment, ListenEnvironment listen, String match,
                     List<MapRule> maps, boolean strict, Optional<Duration> exitIdle, boolean verbose) {
    /** Variables only bandaid's own start-up needs; the program gets the environment without them. */
    public static final List<String> OWN_VARIABLES = List.of("BANDAID_SET_SR_SIGNUM", "BANDAID_JAVA_OPTIONS", "BANDAID_CLOSED_FD",
            "BANDAID_LAUNCHER");

    /**
     * The environment the program gets: bandaid's as it was given, byte for byte (with what the
     * launcher carried past bandaid's JVM put back: {@link Environment#given}), without
     * {@code remove} and bandaid's own. sd_listen_fds(3) asks that LISTEN_* be unset before the
     * sockets reach anyone else: the program is not the process LISTEN_PID names, and its own
     * children must not act on them.
     */
    public List<byte[]> programEnvironment(List<String> remove) {
        return programEnvironment(environment, remove);
    }

    /** {@link #programEnvironment(List)} of any environment bandaid was given. */
    public static List<byte[]> programEnvironment(Environment environment, List<String> remove) {
        List<String> own = new ArrayList<>(OWN_VARIABLES);
        if (environment.get("BANDAID_SET_SR_SIGNUM") != null) {
            // scripts/bandaid moved the JVM's suspend/resume signal off SIGUSR2 (so USR2 can be
            // forwarded); the program must not see that setting (but gets a value it was given).
            own.add("_JAVA_SR_SIGNUM");
        }
        List<String> removed = new ArrayList<>(ListenEnvironment.VARIABLES);
        removed.addAll(remove);
        return Environment.without(environment.given(own), removed);
    }
}
