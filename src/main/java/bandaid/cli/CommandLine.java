package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import java.util.Arrays;
import java.util.List;

/**
 * Splits {@code bandaid [OPTIONS] [--] PROGRAM [ARGS...]}: bandaid's options end at {@code --}
 * or at the first word that is not an option, so the program's own options are never read as
 * bandaid's.
 */
record CommandLine(Options options, List<String> program, JCommander usage) {

    static CommandLine parse(String... args) throws BandaidException {
        int end = 0;
        boolean separator = false;
        while (end < args.length) {
            if (args[end].equals("--")) {
                separator = true;
                break;
            }
            if (!args[end].startsWith("-")) {
                break;
            }
            // --match and --map take a value as the next word (or after '=').
            if ((args[end].equals("--match") || args[end].equals("--map") || args[end].equals("--exit-idle-time")) && end + 1 < args.length) {
                end++;
            }
            end++;
        }
        Options options = new Options();
        JCommander jc = JCommander.newBuilder().programName("bandaid").addObject(options).build();
        try {
            jc.parse(Arrays.copyOfRange(args, 0, end));
        } catch (ParameterException e) {
            throw new BandaidException(ExitCode.USAGE, e.getMessage() + " (see bandaid --help)");
        }
        List<String> program = List.of(Arrays.copyOfRange(args, separator ? end + 1 : end, args.length));
        return new CommandLine(options, program, jc);
    }
}
