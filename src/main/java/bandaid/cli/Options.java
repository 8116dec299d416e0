package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.matching.MapRule;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import com.beust.jcommander.converters.IParameterSplitter;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The options of {@code bandaid [OPTIONS] [--] PROGRAM [ARGS...]} (README, "Run it"; the man
 * page; {@code bandaid --help}, made from these declarations in their {@code order}), read by
 * {@link CommandLine}. Booleans are declared with {@code arity = 1}: CommandLine hands each one
 * over as true or false.
 */
final class Options {
    /** What an option's value is called in --help: {@code --exit-idle-time=SPAN}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Value {
        String value();
    }

    /**
     * An option whose value may be left out, as getopt_long's optional_argument: {@code --broker}
     * alone means this value, {@code --broker=PATH} another (and {@code --broker PATH} leaves PATH
     * to the program).
     */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Alone {
        String value();
    }

    /** A list option's value is one value, commas and all (jcommander would split it at commas). */
    public static final class Whole implements IParameterSplitter {
        @Override
        public List<String> split(String value) {
            return List.of(value);
        }
    }

    @ParametersDelegate
    final Program program = new Program();

    @Value("PATH")
    @Alone("/run/bandaid/broker.sock")
    @Parameter(names = "--broker", order = 10, description = "Hand the program's calls to the bandaid broker at PATH (--broker"
            + " alone: /run/bandaid/broker.sock) and become the program: no JVM stays beside it. Fails when no broker takes it."
            + " Without --broker or --no-broker, the broker is used when its socket answers, and bandaid stays beside"
            + " the program otherwise.")
    String broker;

    @Parameter(names = "--no-broker", arity = 1, order = 11, description = "Stay beside the program (wrapper mode), even where a"
            + " broker runs.")
    boolean noBroker;

    @Parameter(names = {"-h", "--help"}, help = true, order = 20, description = "Show this help and exit.")
    boolean help;

    @Parameter(names = "--version", help = true, order = 21, description = "Show the version and exit.")
    boolean version;

    /**
     * bandaid's own options for running a program: those of the main command, which
     * {@code bandaid unit} takes too and writes into ExecStart=.
     */
    static final class Program {
        @Parameter(names = {"-v", "--verbose"}, arity = 1, order = 1, description = "Log every trapped call and what bandaid did with it.")
        boolean verbose;

        @Value("HOW")
        @Parameter(names = "--match", order = 2, description = "How a call finds its passed socket: address (the default; each bind() gets"
                + " the passed socket for its address) or socket (each socket() gets the next unclaimed passed socket of its kind).")
        String match;

        @Value("NAME=ADDRESS")
        @Parameter(names = "--map", order = 3, splitter = Whole.class, description = "A bind() to ADDRESS gets the passed socket named NAME"
                + " (LISTEN_FDNAMES, FileDescriptorName=). ADDRESS is HOST:PORT, [IPV6]:PORT, *:PORT, PORT, /path or @abstract. Repeatable.")
        List<String> maps = new ArrayList<>();

        @Parameter(names = "--strict", arity = 1, order = 4, description = "Refuse (EACCES) a bind() to a listening address that no passed"
                + " socket has.")
        boolean strict;

        @Value("SPAN")
        @Parameter(names = "--exit-idle-time", order = 5, description = "Stop the program when the passed sockets have had no connection"
                + " or datagram for SPAN (30s, 1.5min, infinity; systemd.time(7)); systemd starts it again on the next one.")
        String exitIdleTime;

        /** Every value checked, and every contradiction refused, before anything is done. */
        Checked check() throws BandaidException {
            return check(false);
        }

        /**
         * @param template for a template unit's ExecStart=: {@code %i} in a --map stands for the
         *                 instance, which systemd puts in before bandaid reads it
         */
        Checked check(boolean template) throws BandaidException {
            String how = match == null ? "address" : match;
            if (!how.equals("address") && !how.equals("socket")) {
                throw new BandaidException(ExitCode.USAGE, "unknown --match " + how + ": use address or socket");
            }
            List<MapRule> rules = new ArrayList<>();
            for (String map : maps) {
                MapRule rule = MapRule.parse(template ? map.replace("%i", "1").replace("%I", "1") : map);
                // The name as given (FileDescriptorName= may hold %i too): what the socket units are checked against.
                rules.add(template && map.indexOf('=') > 0 ? new MapRule(map.substring(0, map.indexOf('=')), rule.pattern()) : rule);
            }
            if (!rules.isEmpty() && how.equals("socket")) {
                throw new BandaidException(ExitCode.USAGE, "--map needs --match=address: socket() carries no address to map");
            }
            Optional<Duration> exitIdle = Optional.empty();
            if (exitIdleTime != null) {
                // systemd.time(7), as systemd-socket-proxyd reads its --exit-idle-time=: infinity (its default) never stops.
                try {
                    Duration span = TimeSpan.parse(exitIdleTime);
                    exitIdle = TimeSpan.isInfinite(span) ? Optional.empty() : Optional.of(span);
                } catch (IllegalArgumentException e) {
                    throw new BandaidException(ExitCode.USAGE, "--exit-idle-time=" + exitIdleTime + " is not a time span: " + e.getMessage());
                }
            }
            List<String> words = new ArrayList<>();
            if (verbose) {
                words.add("-v");
            }
            if (match != null) {
                words.add("--match=" + match);
            }
            maps.forEach(m -> words.add("--map=" + m));
            if (strict) {
                words.add("--strict");
            }
            if (exitIdleTime != null) {
                words.add("--exit-idle-time=" + exitIdleTime);
            }
            return new Checked(verbose, how, List.copyOf(rules), strict, exitIdleTime != null, exitIdle, List.copyOf(words));
        }
    }

    /**
     * bandaid's own options, checked.
     *
     * @param idleTimeGiven --exit-idle-time was given (infinity included)
     * @param exitIdle      when to stop an idle program; empty for never
     * @param words         the options as bandaid's command line takes them again, one
     *                      {@code --option=VALUE} word each (for ExecStart=)
     */
    record Checked(boolean verbose, String match, List<MapRule> maps, boolean strict, boolean idleTimeGiven, Optional<Duration> exitIdle,
                   List<String> words) {
    }

    /** {@code bandaid broker}'s. */
    static final class Broker {
        @Value("PATH")
        @Parameter(names = "--listen", order = 1, description = "Listen at PATH (where no bandaid-broker.socket passes the socket).")
        String listen;

        @Parameter(names = {"-v", "--verbose"}, arity = 1, order = 2, description = "Log every handoff.")
        boolean verbose;

        @Parameter(names = "--units", arity = 1, order = 3, description = "Print bandaid-broker.socket and bandaid-broker.service for"
                + " this launcher.")
        boolean units;

        @Value("DIR")
        @Parameter(names = "--write", order = 4, description = "With --units: write them into DIR (e.g. /etc/systemd/system).")
        String write;

        @Parameter(names = {"-h", "--help"}, help = true, order = 20, description = "Show this help and exit.")
        boolean help;
    }

    /** {@code bandaid inspect}'s: only --help. */
    static final class Inspect {
        @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help and exit.")
        boolean help;
    }
}
