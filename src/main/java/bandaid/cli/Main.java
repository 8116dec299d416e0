package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.broker.Handover;
import bandaid.matching.MapRule;
import bandaid.nativeaccess.Processes;
import bandaid.service.Environment;
import bandaid.service.Log;
import bandaid.service.Request;
import bandaid.socket.Bytes;
import bandaid.supervisor.Ending;
import bandaid.supervisor.Supervisor;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * {@code bandaid [OPTIONS] [--] PROGRAM [ARGS...]}: runs PROGRAM on the sockets systemd passed.
 * The CLI is a function, {@link #run}: the environment and the arguments come in, the status goes
 * out, and only {@link #main} reads the process's own environment or ends the process.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // Never a stack trace: a failure on any of bandaid's threads is one line (and, on the main
        // thread, the SOFTWARE status), so the journal shows what went wrong, not a JVM dump.
        Thread.setDefaultUncaughtExceptionHandler((thread, t) ->
                System.err.println("bandaid: internal error on thread " + thread.getName() + ": " + Bytes.oneLine(String.valueOf(t))));
        int status;
        try {
            Environment env = Environment.ofThisProcess();
            status = run(env, System.out, System.err, Environment.argumentsOfThisProcess(args));
        } catch (Throwable t) {
            System.err.println("bandaid: internal error: " + Bytes.oneLine(String.valueOf(t)));
            status = ExitCode.SOFTWARE.code();
        }
        System.out.flush();
        System.err.flush();
        Ending.dieLikeTheProgram(status);
        // halt, not exit: bandaid registers no shutdown hook and has flushed what it wrote, and
        // the hooks the JDK runs on exit only delay the unit's stop (scripts/bench, figure 7).
        Runtime.getRuntime().halt(status);
    }

    /** {@link #run(Environment, PrintStream, PrintStream, List)} for arguments given as text. */
    static int run(Environment env, PrintStream out, PrintStream err, String... args) {
        return run(env, out, err, Arrays.stream(args).map(a -> a.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /**
     * Runs bandaid as the command line says.
     *
     * @param args the arguments as bytes: bandaid's options are read as UTF-8 text, the program's
     *             arguments are passed on exactly as given
     * @return the status to exit with
     */
    static int run(Environment env, PrintStream out, PrintStream err, List<byte[]> args) {
        List<String> words = args.stream().map(a -> new String(a, StandardCharsets.UTF_8)).toList();
        Errors errors = new Errors(err, env);
        CommandLine line;
        try {
            line = CommandLine.parse(words);
        } catch (BandaidException e) {
            return errors.fail(e);
        }
        Options options = line.options();
        if (options.help) {
            out.print(Help.text());
            return 0;
        }
        if (options.version) {
            out.println("bandaid " + version() + " (Java " + Runtime.version() + ")");
            return 0;
        }
        List<String> rest = words.subList(line.programStart(), words.size());
        if (!line.separated() && !rest.isEmpty() && rest.getFirst().equals("inspect")) {
            return InspectCommand.run(env, out, errors, rest.subList(1, rest.size()));
        }
        if (!line.separated() && !rest.isEmpty() && rest.getFirst().equals("unit")) {
            return UnitCommand.run(env, out, errors, args.subList(line.programStart() + 1, args.size()));
        }
        if (!line.separated() && !rest.isEmpty() && rest.getFirst().equals("broker")) {
            return BrokerCommand.run(env, out, errors, rest.subList(1, rest.size()));
        }
        try {
            Request request = request(env, options, args.subList(line.programStart(), args.size()));
            Log.configure(options.verbose, errors.journal());
            if (!request.listen().activated() && (!options.maps.isEmpty() || options.strict || options.exitIdleTime != null)) {
                Log.warn("{} has no effect: {}",
                        !options.maps.isEmpty() ? "--map" : options.strict ? "--strict" : "--exit-idle-time", request.listen().nothingPassed());
            }
            handOverWhereABrokerTakesIt(options, request, errors.journal());
            return Supervisor.run(request);
        } catch (BandaidException e) {
            return errors.fail(e);
        } catch (RuntimeException e) {
            Log.debug(e, "internal error");
            return errors.fail(new BandaidException(ExitCode.SOFTWARE, "internal error: " + e));
        }
    }

    /**
     * Broker mode: the broker takes the program's calls and bandaid becomes the program, never
     * returning. With --broker the broker must take it; by default it is asked where its socket
     * is, and wrapper mode runs the program where none takes it, so the default never fails where
     * wrapper mode serves; --no-broker never asks.
     */
    private static void handOverWhereABrokerTakesIt(Options options, Request request, boolean journal) throws BandaidException {
        if (options.noBroker) {
            return;
        }
        Path socket = options.broker == null ? Handover.DEFAULT_SOCKET : Path.of(options.broker);
        try {
            Handover.handOver(request, socket, journal, version());
        } catch (Handover.NotTaken e) {
            if (options.broker != null) {
                throw new BandaidException(e.exitCode(), e.getMessage());
            }
            if (!e.noBroker()) {
                Log.info("{}; bandaid stays beside the program instead (wrapper mode)", e.getMessage());
            }
        }
    }

    /** Every option checked, and every contradiction refused, before anything is done. */
    private static Request request(Environment env, Options options, List<byte[]> program) throws BandaidException {
        if (options.broker != null && options.noBroker) {
            throw new BandaidException(ExitCode.USAGE, "--broker and --no-broker contradict each other: give one");
        }
        if (program.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "no program given: usage is bandaid [OPTIONS] [--] PROGRAM [ARGS...]");
        }
        if (!options.match.equals("address") && !options.match.equals("socket")) {
            throw new BandaidException(ExitCode.USAGE, "unknown --match " + options.match + ": use address or socket");
        }
        List<MapRule> rules = new ArrayList<>();
        for (String map : options.maps) {
            rules.add(MapRule.parse(map));
        }
        if (!rules.isEmpty() && options.match.equals("socket")) {
            throw new BandaidException(ExitCode.USAGE, "--map needs --match=address: socket() carries no address to map");
        }
        Optional<Duration> exitIdle = options.exitIdleTime == null ? Optional.empty() : exitIdleTime(options.exitIdleTime);
        ListenEnvironment listen = ListenEnvironment.parse(env.variables(), Processes.ownPid());
        return new Request(program, env, listen, options.match, rules, options.strict, exitIdle, options.verbose);
    }

    /** systemd.time(7), as systemd-socket-proxyd reads its --exit-idle-time=: infinity (its default) never stops. */
    private static Optional<Duration> exitIdleTime(String text) throws BandaidException {
        try {
            Duration span = TimeSpan.parse(text);
            return TimeSpan.isInfinite(span) ? Optional.empty() : Optional.of(span);
        } catch (IllegalArgumentException e) {
            throw new BandaidException(ExitCode.USAGE, "--exit-idle-time=" + text + " is not a time span: " + e.getMessage());
        }
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }

    /** How a failure is told: one line on stderr, with the journal's priority when stderr is the journal. */
    record Errors(PrintStream err, Environment env) {
        int fail(BandaidException e) {
            err.println((journal() ? "<3>" : "") + "bandaid: " + Bytes.oneLine(e.getMessage()));
            return e.exitCode().code();
        }

        boolean journal() {
            return JournalWriter.stderrIsJournal(env.get("JOURNAL_STREAM"));
        }
    }
}
