package bandaid.cli;

import com.beust.jcommander.Parameter;
import com.beust.jcommander.ParametersDelegate;
import java.util.ArrayList;
import java.util.List;

/**
 * The options of {@code bandaid unit NAME[@] (--listen ADDRESS... | --learn) [OPTIONS] -- PROGRAM}
 * (README, "Units"; {@code bandaid unit --help}, made from these declarations), read by
 * {@link CommandLine}; bandaid's own options among them go into ExecStart=.
 */
final class UnitOptions {
    @ParametersDelegate
    final Options.Program program = new Options.Program();

    @Options.Value("[FDNAME=][udp:]ADDRESS...")
    @Parameter(names = "--listen", variableArity = true, splitter = Options.Whole.class, order = 10, description = "A ListenStream="
            + " (ListenDatagram= with udp:) for each ADDRESS: HOST:PORT, [IPV6]:PORT, *:PORT, PORT, /path or @abstract. Repeatable."
            + " FDNAME= names the socket (FileDescriptorName=, in a socket unit of its own); several sockets are named by kind and"
            + " port otherwise.")
    List<String> listen = new ArrayList<>();

    @Parameter(names = "--learn", arity = 1, order = 11, description = "Instead of --listen: run PROGRAM once in a throwaway network"
            + " namespace (needs root) and pass exactly the sockets it listens on.")
    boolean learn;

    @Options.Value("USER")
    @Parameter(names = "--user", order = 12, description = "User=USER in the service.")
    String user;

    @Parameter(names = "--harden", arity = 1, order = 13, description = "Sandbox the service (DynamicUser=, ProtectSystem=strict,"
            + " SystemCallFilter=@system-service seccomp, ...).")
    boolean harden;

    @Parameter(names = "--private-network", arity = 1, order = 14, description = "PrivateNetwork=yes: the program serves the passed"
            + " sockets and reaches no network of its own.")
    boolean privateNetwork;

    @Options.Value("DIR")
    @Parameter(names = "--write", order = 15, description = "Write the unit files into DIR instead of printing them.")
    String write;

    @Parameter(names = "--force", arity = 1, order = 16, description = "Replace files that exist in DIR.")
    boolean force;

    @Parameter(names = {"-h", "--help"}, help = true, order = 20, description = "Show this help and exit.")
    boolean help;
}
