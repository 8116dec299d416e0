package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.broker.Broker;
import bandaid.broker.BrokerUnits;
import bandaid.service.Environment;
import bandaid.service.Log;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * {@code bandaid broker [--listen=PATH] [-v]}: the broker itself, for bandaid-broker.service;
 * {@code bandaid broker --units [--write=DIR]}: that unit and its socket, for this launcher.
 */
final class BrokerCommand {
    static final String HELP = """
            Usage: bandaid broker [--listen=PATH] [-v]
                   bandaid broker --units [--write=DIR]

            One bandaid for the whole host: services started with bandaid hand it their program's
            seccomp listener and passed sockets, and become the program (no JVM beside it).

              --listen=PATH  listen at PATH (where no bandaid-broker.socket passes the socket)
              -v, --verbose  log every handoff
              --units        print bandaid-broker.socket and bandaid-broker.service for this launcher
              --write=DIR    with --units: write them into DIR (e.g. /etc/systemd/system)
              -h, --help     show this help and exit
            """;

    private BrokerCommand() {
    }

    static int run(Environment env, PrintStream out, Main.Errors errors, List<String> words) {
        Optional<Path> listen = Optional.empty();
        Optional<Path> write = Optional.empty();
        boolean units = false;
        boolean verbose = false;
        try {
            for (String word : words) {
                if (word.equals("-h") || word.equals("--help")) {
                    out.print(HELP);
                    return 0;
                } else if (word.startsWith("--listen=") && word.length() > "--listen=".length()) {
                    listen = Optional.of(Path.of(word.substring("--listen=".length())));
                } else if (word.startsWith("--write=") && word.length() > "--write=".length()) {
                    write = Optional.of(Path.of(word.substring("--write=".length())));
                } else if (word.equals("--units")) {
                    units = true;
                } else if (word.equals("-v") || word.equals("--verbose")) {
                    verbose = true;
                } else {
                    throw new BandaidException(ExitCode.USAGE, "broker: unrecognized option '" + word + "' (see bandaid broker --help)");
                }
            }
            if (write.isPresent() && !units) {
                throw new BandaidException(ExitCode.USAGE, "broker: --write goes with --units");
            }
            if (units) {
                return units(env, out, write);
            }
            Log.configure(verbose, errors.journal());
            return Broker.run(env, new Broker.Options(listen));
        } catch (BandaidException e) {
            return errors.fail(e);
        }
    }

    private static int units(Environment env, PrintStream out, Optional<Path> write) throws BandaidException {
        String socket = BrokerUnits.socket();
        String service = BrokerUnits.service(UnitPlaces.launcher(env));
        if (write.isEmpty()) {
            out.print("# " + BrokerUnits.SOCKET_UNIT + "\n" + socket + "\n# " + BrokerUnits.SERVICE_UNIT + "\n" + service);
            return 0;
        }
        try {
            Files.writeString(write.get().resolve(BrokerUnits.SOCKET_UNIT), socket, StandardCharsets.UTF_8);
            Files.writeString(write.get().resolve(BrokerUnits.SERVICE_UNIT), service, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new BandaidException(ExitCode.CANTCREAT, "broker --units: cannot write into " + write.get() + ": " + e.getMessage());
        }
        out.println("Wrote " + write.get().resolve(BrokerUnits.SOCKET_UNIT) + " and " + BrokerUnits.SERVICE_UNIT
                + "; then: systemctl daemon-reload && systemctl enable --now " + BrokerUnits.SOCKET_UNIT);
        return 0;
    }
}
