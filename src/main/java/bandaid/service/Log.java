package bandaid.service;

import org.tinylog.Logger;
import org.tinylog.configuration.Configuration;

/**
 * bandaid's log lines, through tinylog, which is set up only when a first line is written: a
 * run that says nothing (no -v, nothing wrong) never pays tinylog's start (its configuration,
 * provider and writer, on the way to the first answer; BENCHMARKS.md). Debug lines are decided
 * here, by a plain field, so asking "is -v on?" on every trapped call costs nothing either.
 */
public final class Log {
    private static volatile boolean verbose;
    private static volatile boolean journal;
    private static volatile boolean started;

    private Log() {
    }

    /**
     * @param verbose -v: debug lines too
     * @param journal stderr is the journal: each line carries its syslog priority (JournalWriter)
     */
    public static void configure(boolean verbose, boolean journal) {
        Log.verbose = verbose;
        Log.journal = journal;
    }

    /** Whether debug lines are written (-v). */
    public static boolean debugging() {
        return verbose;
    }

    public static void debug(String format, Object... arguments) {
        if (verbose) {
            start();
            Logger.debug(format, arguments);
        }
    }

    public static void debug(Throwable t, String message) {
        if (verbose) {
            start();
            Logger.debug(t, message);
        }
    }

    public static void info(String format, Object... arguments) {
        start();
        Logger.info(format, arguments);
    }

    public static void warn(String format, Object... arguments) {
        start();
        Logger.warn(format, arguments);
    }

    public static void error(String format, Object... arguments) {
        start();
        Logger.error(format, arguments);
    }

    /** tinylog's configuration, set once before its first line (cli.JournalWriter writes them). */
    private static synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        if (!Configuration.isFrozen()) {
            Configuration.set("writer", "journal");
            Configuration.set("writer.level", verbose ? "debug" : "info");
            Configuration.set("writer.journal", Boolean.toString(journal));
        }
    }
}
