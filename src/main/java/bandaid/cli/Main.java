package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.matching.AddressMatcher;
import bandaid.matching.MapRule;
import bandaid.matching.MatcherFactory;
import bandaid.matching.SocketOrderMatcher;
import bandaid.nativeaccess.SignalQueue;
import bandaid.supervisor.Supervisor;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;

/**
 * {@code bandaid [OPTIONS] [--] PROGRAM [ARGS...]}: runs PROGRAM on the sockets systemd passed.
 * Only {@link #main} exits; {@link #run} returns the status, so the whole CLI runs in tests.
 */
public final class Main {
    private Main() {
    }

    /**
     * Signals that end a program without a core dump. When one ended the program, bandaid ends
     * by it too, as timeout(1) does: a shell still reports 128+N, and systemd sees the main
     * process "killed by SIGTERM", a clean stop (systemd.service(5), SuccessExitStatus=), where
     * exit status 143 would mark the unit failed after every systemctl stop.
     */
    private static final List<String> PASSED_ON_DEATHS = List.of("HUP", "INT", "PIPE", "ALRM", "TERM", "USR1", "USR2", "KILL");

    public static void main(String[] args) {
        int status = run(System.err, args);
        if (status > 128) {
            for (String name : PASSED_ON_DEATHS) {
                if (status - 128 == SignalQueue.number(name)) {
                    System.err.flush();
                    SignalQueue.dieBy(status - 128);
                }
            }
        }
        System.exit(status);
    }

    static int run(PrintStream err, String... args) {
        if (args.length > 0 && args[0].equals("inspect")) {
            return InspectCommand.run(System.out, err, Arrays.copyOfRange(args, 1, args.length));
        }
        if (args.length > 0 && args[0].equals("unit")) {
            return UnitCommand.run(System.out, err, Arrays.copyOfRange(args, 1, args.length));
        }
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
            err.print("Usage: bandaid [OPTIONS] [--] PROGRAM [ARGS...]\n"
                    + "       bandaid inspect      (in place of a program: list the passed sockets)\n"
                    + "       bandaid " + UnitCommand.USAGE.substring("usage is bandaid ".length()) + "\n"
                    + usage.toString().replaceFirst("^Usage: bandaid \\[options\\]\\n", ""));
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
            Optional<Duration> exitIdle = Optional.empty();
            if (options.exitIdleTime != null) {
                exitIdle = Optional.of(Durations.parse(options.exitIdleTime).orElseThrow(() -> new BandaidException(ExitCode.USAGE,
                        "--exit-idle-time " + options.exitIdleTime + " is not a time span; use e.g. 30s, 500ms, 5min or 1h")));
            }
            ListenEnvironment listen = ListenEnvironment.parse(System.getenv(), ProcessHandle.current().pid());
            if (!listen.activated() && (!options.maps.isEmpty() || options.strict || exitIdle.isPresent())) {
                Logger.warn("{} has no effect: no sockets were passed (LISTEN_FDS is not set)",
                        !options.maps.isEmpty() ? "--map" : options.strict ? "--strict" : "--exit-idle-time");
            }
            return Supervisor.run(line.program(), listen, matchers, options.strict, exitIdle);
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

    static int fail(PrintStream err, BandaidException e) {
        // Priority 3 (error) when stderr is the journal, like every other line (JournalWriter).
        String prefix = JournalWriter.stderrIsJournal(System.getenv("JOURNAL_STREAM")) ? "<3>bandaid: " : "bandaid: ";
        err.println(prefix + e.getMessage());
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
        Configuration.set("writer", "journal");
        Configuration.set("writer.level", verbose ? "debug" : "info");
    }
}
