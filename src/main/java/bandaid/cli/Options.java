package bandaid.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;

/** bandaid's options (README, "Options"; {@code bandaid --help}). Values go as {@code --match=X} or {@code --match X}. */
@Parameters(separators = "=")
final class Options {
    @Parameter(names = {"-v", "--verbose"}, description = "Log every trapped call and what bandaid did with it")
    boolean verbose;

    @Parameter(names = "--match", description = "How trapped calls find their passed socket: socket (the first unclaimed"
            + " passed socket of the same family and type goes to each socket() call)")
    String match = "socket";

    @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help and exit")
    boolean help;

    @Parameter(names = "--version", description = "Print the version and exit")
    boolean version;
}
