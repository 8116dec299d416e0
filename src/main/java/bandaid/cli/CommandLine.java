package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import com.beust.jcommander.JCommander;
import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParameterException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Splits {@code bandaid [OPTIONS] [--] PROGRAM [ARGS...]}: bandaid's options end at {@code --}
 * or at the first word that is not an option, so the program's own options are never read as
 * bandaid's.
 *
 * @param programStart the index in the arguments where the program begins
 * @param separated    the program came after {@code --} (so it is a program, not a command)
 */
record CommandLine(Options options, int programStart, boolean separated) {
    /** Options that take a value, as the next word when not given after '='. */
    private static final Set<String> TAKE_A_VALUE = Set.of("--match", "--map", "--exit-idle-time");
    /** Options whose value may be left out: the bare option means this value. */
    private static final Map<String, String> DEFAULT_VALUE = Map.of("--broker", "--broker=/run/bandaid/broker.sock");

    /**
     * Every option name, as the annotations of {@link Options} give them. Read only when there is
     * an option word: reading annotations spins a proxy class each (about 30 ms of start-up).
     */
    private static final class Known {
        static final Set<String> NAMES = Arrays.stream(Options.class.getDeclaredFields())
                .map(f -> f.getAnnotation(Parameter.class)).filter(Objects::nonNull)
                .flatMap(p -> Arrays.stream(p.names())).collect(Collectors.toUnmodifiableSet());
    }

    static CommandLine parse(List<String> args) throws BandaidException {
        int end = 0;
        boolean separator = false;
        while (end < args.size()) {
            String word = args.get(end);
            if (word.equals("--")) {
                separator = true;
                break;
            }
            if (!word.startsWith("-")) {
                break;
            }
            String name = word.contains("=") ? word.substring(0, word.indexOf('=')) : word;
            if (!Known.NAMES.contains(name)) {
                // getopt's words (systemd's tools say the same), not jcommander's.
                throw new BandaidException(ExitCode.USAGE, "unrecognized option '" + name + "' (see bandaid --help)");
            }
            if (TAKE_A_VALUE.contains(word)) {
                if (end + 1 >= args.size() || args.get(end + 1).equals("--")) {
                    throw new BandaidException(ExitCode.USAGE, word + " needs a value, as " + word + "=VALUE (see bandaid --help)");
                }
                end++;
            }
            end++;
        }
        Options options = new Options();
        if (end == 0) {
            // The common ExecStart=/usr/bin/bandaid -- PROGRAM: no option, so jcommander (and the
            // reflection it does on Options) is not needed.
            return new CommandLine(options, separator ? 1 : 0, separator);
        }
        try {
            JCommander.newBuilder().programName("bandaid").addObject(options).build()
                    .parse(args.subList(0, end).stream().map(w -> DEFAULT_VALUE.getOrDefault(w, w)).toArray(String[]::new));
        } catch (ParameterException e) {
            throw new BandaidException(ExitCode.USAGE, e.getMessage() + " (see bandaid --help)");
        }
        return new CommandLine(options, separator ? end + 1 : end, separator);
    }
}
