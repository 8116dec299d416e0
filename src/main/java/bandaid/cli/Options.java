package bandaid.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import java.util.ArrayList;
import java.util.List;

/** bandaid's options (README, "Options"; {@code bandaid --help}). Values go as {@code --match=X} or {@code --match X}. */
@Parameters(separators = "=")
final class Options {
    @Parameter(names = {"-v", "--verbose"}, description = "Log every trapped call and what bandaid did with it")
    boolean verbose;

    @Parameter(names = "--match", description = "How the program's calls find their passed socket: address (each bind() gets"
            + " the passed socket for its address) or socket (each socket() gets the first unclaimed passed socket of its family and type)")
    String match = "address";

    @Parameter(names = "--map", description = "NAME=ADDRESS: a bind() to ADDRESS gets the passed socket named NAME"
            + " (LISTEN_FDNAMES); ADDRESS is HOST:PORT, [IPV6]:PORT, *:PORT, PORT, /path or @abstract. Repeatable")
    List<String> maps = new ArrayList<>();

    @Parameter(names = "--strict", description = "Refuse (EACCES) a bind() to a listening address that no passed socket has")
    boolean strict;

    @Parameter(names = "--exit-idle-time", description = "Stop the program (SIGTERM) when the passed sockets have had no"
            + " connection for this long, e.g. 30s or 5min; systemd starts it again on the next connection")
    String exitIdleTime;

    @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help and exit")
    boolean help;

    @Parameter(names = "--version", description = "Print the version and exit")
    boolean version;
}
