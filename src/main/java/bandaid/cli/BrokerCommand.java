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
    private BrokerCommand() {
    }

    static int run(Environment env, PrintStream out, Errors errors, List<String> words) {
        try {
            Options.Broker options = new Options.Broker();
            CommandLine line = CommandLine.parse(options, words, CommandLine.Ends.AT_SEPARATOR);
            if (options.help) {
                out.print(Help.broker());
                return 0;
            }
            line.refuseArguments(words, "broker");
            Optional<Path> listen = path("--listen", options.listen);
            Optional<Path> write = path("--write", options.write);
            if (write.isPresent() && !options.units) {
                throw new BandaidException(ExitCode.USAGE, "broker: --write goes with --units");
            }
            if (options.units) {
                return units(env, out, write);
            }
            Log.configure(options.verbose, errors.journal());
            return Broker.run(env, new Broker.Options(listen));
        } catch (BandaidException e) {
            return errors.fail(e);
        }
    }

    private static Optional<Path> path(String option, String value) throws BandaidException {
        if (value != null && value.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "option '" + option + "' requires an argument");
        }
        return Optional.ofNullable(value).map(Path::of);
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
