package bandaid.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.Parameters;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;

/**
 * bandaid's options (README, "Options"; {@code bandaid --help}, made from these annotations in
 * this order). Values go as {@code --match=X} or {@code --match X}.
 */
@Parameters(separators = "=")
final class Options {
    /** What an option's value is called in --help: {@code --exit-idle-time=SPAN}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.FIELD)
    @interface Value {
        String value();
    }

    @Parameter(names = {"-v", "--verbose"}, description = "Log every trapped call and what bandaid did with it.")
    boolean verbose;

    @Value("HOW")
    @Parameter(names = "--match", description = "How a call finds its passed socket: address (the default; each bind() gets"
            + " the passed socket for its address) or socket (each socket() gets the next unclaimed passed socket of its kind).")
    String match = "address";

    @Value("NAME=ADDRESS")
    @Parameter(names = "--map", description = "A bind() to ADDRESS gets the passed socket named NAME (LISTEN_FDNAMES,"
            + " FileDescriptorName=). ADDRESS is HOST:PORT, [IPV6]:PORT, *:PORT, PORT, /path or @abstract. Repeatable.")
    List<String> maps = new ArrayList<>();

    @Parameter(names = "--strict", description = "Refuse (EACCES) a bind() to a listening address that no passed socket has.")
    boolean strict;

    @Value("SPAN")
    @Parameter(names = "--exit-idle-time", description = "Stop the program when the passed stream sockets have had no"
            + " connection for SPAN (30s, 1.5min, infinity; systemd.time(7)); systemd starts it again on the next connection.")
    String exitIdleTime;

    @Value("PATH")
    @Parameter(names = "--broker", description = "Hand the program's calls to the bandaid broker at PATH (default"
            + " /run/bandaid/broker.sock) and become the program: no JVM stays beside it. Fails when no broker takes it."
            + " Without --broker or --no-broker, the broker is used when its socket answers, and bandaid stays beside"
            + " the program otherwise.")
    String broker;

    @Parameter(names = "--no-broker", description = "Stay beside the program (wrapper mode), even where a broker runs.")
    boolean noBroker;

    @Parameter(names = {"-h", "--help"}, help = true, description = "Show this help and exit.")
    boolean help;

    @Parameter(names = "--version", description = "Show the version and exit.")
    boolean version;
}
