package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.matching.AddressMatcher;
import bandaid.matching.MapRule;
import bandaid.matching.MatcherFactory;
import bandaid.matching.SocketOrderMatcher;
import bandaid.supervisor.Supervisor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;

/**
 * {@code bandaid [OPTIONS] [--] PROGRAM [ARGS...]}: runs PROGRAM on the sockets systemd passed.
 * Only {@link #main} exits; {@link #run} returns the status, so the whole CLI runs in tests.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(System.err, args));
    }

    static int run(PrintStream err, String... args) {
        CommandLine line;
        try {
            line = CommandLine.parse(args);
        } catch (BandaidException e) {
            return fail(err, e);
        }
        Options options = line.options();
        if (options.help) {
            StringBuilder usage = new StringBuilder();
            line.usage().getUsageFormatter().usage(usage);
            err.print("Usage: bandaid [OPTIONS] [--] PROGRAM [ARGS...]\n" + usage);
            return 0;
        }
        if (options.version) {
            err.println("bandaid " + version() + " (Java " + Runtime.version() + ")");
            return 0;
        }
        configureLogging(options.verbose);
        try {
            if (line.program().isEmpty()) {
                throw new BandaidException(ExitCode.NO_PROGRAM,
                        "no program given: usage is bandaid [OPTIONS] [--] PROGRAM [ARGS...]");
            }
            MatcherFactory matchers = matchers(options);
            ListenEnvironment listen = ListenEnvironment.parse(System.getenv(), ProcessHandle.current().pid());
            if (!listen.activated() && (!options.maps.isEmpty() || options.strict)) {
                Logger.warn("{} has no effect: no sockets were passed (LISTEN_FDS is not set)",
                        options.maps.isEmpty() ? "--strict" : "--map");
            }
            return Supervisor.run(line.program(), listen, matchers, options.strict);
        } catch (BandaidException e) {
            return fail(err, e);
        } catch (RuntimeException e) {
            Logger.debug(e, "internal error");
            return fail(err, new BandaidException(ExitCode.SUPERVISOR_FAILED, "internal error: " + e));
        }
    }

    private static MatcherFactory matchers(Options options) throws BandaidException {
        List<MapRule> rules = new ArrayList<>();
        for (String map : options.maps) {
            rules.add(MapRule.parse(map));
        }
        return switch (options.match) {
            case "address" -> passed -> {
                MapRule.checkNames(rules, passed);
                return new AddressMatcher(passed, rules);
            };
            case "socket" -> {
                if (!rules.isEmpty()) {
                    throw new BandaidException(ExitCode.USAGE, "--map needs --match=address: socket() carries no address to map");
                }
                yield SocketOrderMatcher::new;
            }
            default -> throw new BandaidException(ExitCode.USAGE, "unknown --match " + options.match + ": use address or socket");
        };
    }

    private static int fail(PrintStream err, BandaidException e) {
        err.println("bandaid: " + e.getMessage());
        return e.exitCode().code();
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    /** One line per event on stderr; stdout stays the program's. */
    private static void configureLogging(boolean verbose) {
        if (Configuration.isFrozen()) {
            return;
        }
        Configuration.set("writer", "console");
        Configuration.set("writer.stream", "err");
        Configuration.set("writer.format", "bandaid: {level}: {message}");
        Configuration.set("writer.level", verbose ? "debug" : "info");
    }
}
