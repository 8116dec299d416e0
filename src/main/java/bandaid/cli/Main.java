package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.broker.Handover;
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
        Options options = new Options();
        CommandLine line;
        try {
            line = CommandLine.parse(options, words, CommandLine.Ends.AT_FIRST_OPERAND);
        } catch (BandaidException e) {
            return errors.fail(e);
        }
        if (options.help) {
            out.print(Help.main());
            return 0;
        }
        if (options.version) {
            out.println("bandaid " + version() + " (Java " + Runtime.version() + ")");
            return 0;
        }
        List<String> rest = words.subList(line.rest(), words.size());
        Optional<String> command = line.separated() || rest.isEmpty() ? Optional.empty()
                : Optional.of(rest.getFirst()).filter(w -> w.equals("inspect") || w.equals("unit") || w.equals("broker"));
        if (command.isPresent() && line.options()) {
            // Not dropped, not guessed at: each command reads its own options.
            return errors.fail(new BandaidException(ExitCode.USAGE, "options before " + command.get() + " are not taken: give them after it"
                    + " (bandaid " + command.get() + " --help)"));
        }
        if (command.isPresent() && command.get().equals("inspect")) {
            return InspectCommand.run(env, out, errors, rest.subList(1, rest.size()));
        }
        if (command.isPresent() && command.get().equals("broker")) {
            return BrokerCommand.run(env, out, errors, rest.subList(1, rest.size()));
        }
        if (command.isPresent()) {
            return UnitCommand.run(env, out, errors, args.subList(line.rest() + 1, args.size()));
        }
        try {
            Options.Checked checked = options.program.check();
            if (options.broker != null && options.noBroker) {
                throw new BandaidException(ExitCode.USAGE, "--broker and --no-broker contradict each other: give one");
            }
            Request request = request(env, checked, args.subList(line.rest(), args.size()));
            Log.configure(checked.verbose(), errors.journal());
            if (!request.listen().activated() && (!checked.maps().isEmpty() || checked.strict() || checked.idleTimeGiven())) {
                Log.warn("{} has no effect: {}",
                        !checked.maps().isEmpty() ? "--map" : checked.strict() ? "--strict" : "--exit-idle-time", request.listen().nothingPassed());
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

    /** The program's run, once the options are checked (Options.Program.check). */
    private static Request request(Environment env, Options.Checked options, List<byte[]> program) throws BandaidException {
        if (program.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "no program given: usage is " + Help.USAGE);
        }
        ListenEnvironment listen = ListenEnvironment.parse(env.variables(), Processes.ownPid());
        return new Request(program, env, listen, options.match(), options.maps(), options.strict(), options.exitIdle(), options.verbose());
    }

    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "(development build)" : v;
    }
}
