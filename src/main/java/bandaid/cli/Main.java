package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.matching.FdMatcher;
import bandaid.matching.SocketOrderMatcher;
import bandaid.activation.PassedSocket;
import bandaid.supervisor.Supervisor;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Function;
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
            Function<List<PassedSocket>, FdMatcher> matchers = matchers(options.match);
            ListenEnvironment listen = ListenEnvironment.parse(System.getenv(), ProcessHandle.current().pid());
            return Supervisor.run(line.program(), listen, matchers);
        } catch (BandaidException e) {
            return fail(err, e);
        } catch (RuntimeException e) {
            Logger.debug(e, "internal error");
            return fail(err, new BandaidException(ExitCode.SUPERVISOR_FAILED, "internal error: " + e));
        }
    }

    private static Function<List<PassedSocket>, FdMatcher> matchers(String name) throws BandaidException {
        return switch (name) {
            case "socket" -> SocketOrderMatcher::new;
            default -> throw new BandaidException(ExitCode.USAGE, "unknown --match " + name + ": use socket");
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
