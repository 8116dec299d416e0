package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.cli.UnitFiles.Listen;
import bandaid.matching.AddressPattern;
import bandaid.matching.MapRule;
import bandaid.socket.Bytes;
import bandaid.socket.SocketType;
import bandaid.service.Environment;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * {@code bandaid unit NAME (--listen ADDRESS... | --learn) [OPTIONS] -- PROGRAM ARGS...}: prints
 * (or writes) NAME.service and the socket units that pass it its sockets, running PROGRAM through
 * bandaid (systemd.socket(5), systemd.service(5)). bandaid's own options among OPTIONS go into
 * ExecStart=, checked as bandaid itself checks them.
 */
final class UnitCommand {
    private UnitCommand() {
    }

    static int run(Environment env, PrintStream out, Errors errors, List<byte[]> args) {
        try {
            List<String> words = args.stream().map(a -> new String(a, StandardCharsets.UTF_8)).toList();
            UnitOptions options = new UnitOptions();
            CommandLine line = CommandLine.parse(options, words, CommandLine.Ends.AT_SEPARATOR);
            if (options.help) {
                out.print(Help.unit());
                return 0;
            }
            UnitRequest request = request(options, line, args);
            String launcher = UnitPlaces.launcher(env);
            List<byte[]> command = new ArrayList<>();
            command.add(launcher.getBytes(StandardCharsets.UTF_8));
            request.bandaid().words().forEach(o -> command.add(o.getBytes(StandardCharsets.UTF_8)));
            command.add("--".getBytes(StandardCharsets.UTF_8));
            byte[] program = UnitPlaces.absoluteProgram(request.program().getFirst(), env.get("PATH"));
            command.add(program);
            command.addAll(request.program().subList(1, request.program().size()));
            if (request.learn()) {
                List<byte[]> toRun = new ArrayList<>(command.subList(command.indexOf(program), command.size()));
                request = request.withLearned(UnitLearning.learn(env, errors.err(), toRun), System.getProperty("user.dir"));
                checkAgainstSockets(request);
            }
            if (request.harden()) {
                UnitPlaces.warnIfHidden(errors.err(), launcher, new String(program, StandardCharsets.UTF_8), request.workingDirectory().orElse("/") + "/");
            }
            List<UnitFiles.SocketUnit> units = UnitFiles.socketUnits(request);
            Map<String, String> files = new LinkedHashMap<>();
            for (UnitFiles.SocketUnit unit : units) {
                files.put(unit.file(), UnitFiles.socket(request, unit));
            }
            files.put(UnitFiles.serviceFile(request.name()), UnitFiles.service(request, units, command));
            if (request.write().isPresent()) {
                UnitPlaces.write(out, errors.err(), request, files);
            } else {
                StringBuilder text = new StringBuilder();
                files.forEach((file, content) -> text.append(text.isEmpty() ? "" : "\n").append("# ").append(file).append('\n').append(content));
                out.print(text);
            }
            return 0;
        } catch (BandaidException e) {
            return errors.fail(e);
        }
    }

    /** The request {@code words} make, for words given as text; --help is refused here (run() prints it). */
    static UnitRequest parse(String... words) throws BandaidException {
        UnitOptions options = new UnitOptions();
        CommandLine line = CommandLine.parse(options, List.of(words), CommandLine.Ends.AT_SEPARATOR);
        if (options.help) {
            throw new BandaidException(ExitCode.USAGE, "--help is not a request");
        }
        return request(options, line, Stream.of(words).map(w -> w.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** @param raw the same words as bytes: the program's are passed on exactly */
    private static UnitRequest request(UnitOptions o, CommandLine line, List<byte[]> raw) throws BandaidException {
        if (line.operands().isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "unit needs a NAME first: usage is " + Help.UNIT_USAGE);
        }
        if (line.operands().size() > 1) {
            throw new BandaidException(ExitCode.USAGE, "unit takes one NAME, got " + String.join(" ", line.operands())
                    + ": the program goes after --");
        }
        String given = line.operands().getFirst();
        String name = given.replaceFirst("\\.(socket|service)$", "");
        if (!name.matches("[A-Za-z0-9:_.\\\\-]+@?") || name.length() > 200) {
            throw new BandaidException(ExitCode.USAGE, "unit name " + Bytes.printable(given.getBytes(StandardCharsets.UTF_8))
                    + (name.matches(".*@.+")
                    ? " names an instance: give the template NAME@ and start NAME@INSTANCE.socket"
                    : " has characters systemd does not allow in unit names (letters, digits, :_.\\- and a final @ for a template)"));
        }
        Options.Checked bandaid = o.program.check(UnitFiles.template(name));
        List<Listen> listen = new ArrayList<>();
        for (String value : o.listen) {
            listen.add(listen(value));
        }
        if (o.learn && !listen.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "--learn finds the sockets itself: give it without --listen");
        }
        if (!o.learn && listen.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "unit needs --listen ADDRESS (or --learn): usage is " + Help.UNIT_USAGE);
        }
        if (o.force && o.write == null) {
            throw new BandaidException(ExitCode.USAGE, "--force replaces files --write DIR would write: give --write DIR too");
        }
        if (!line.separated() || line.rest() >= raw.size()) {
            throw new BandaidException(ExitCode.USAGE, "unit needs the program after --: usage is " + Help.UNIT_USAGE);
        }
        UnitRequest request = new UnitRequest(name, List.copyOf(listen), o.user == null ? Optional.empty() : Optional.of(user(o.user)),
                Optional.ofNullable(o.write).map(Path::of), o.force, o.harden, o.privateNetwork, o.learn, bandaid,
                List.copyOf(raw.subList(line.rest(), raw.size())), Optional.empty());
        if (!o.learn) {
            checkAgainstSockets(request);
        }
        return request;
    }

    /** {@code [FDNAME=][udp:]ADDRESS}, ADDRESS as --map takes it; {@code %i} stands for a template's instance. */
    static Listen listen(String value) throws BandaidException {
        Optional<String> name = Optional.empty();
        String rest = value;
        int eq = value.indexOf('=');
        if (eq > 0 && value.substring(0, eq).matches("[A-Za-z0-9_.-]{1,255}")) {
            name = Optional.of(value.substring(0, eq));
            rest = value.substring(eq + 1);
        }
        boolean udp = rest.startsWith("udp:");
        String address = udp ? rest.substring(4) : rest;
        UnitFiles.value("--listen", address, true); // no control characters, whatever the unit
        if (AddressPattern.parse(address.replace("%i", "1").replace("%I", "1")).isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "--listen " + Bytes.printable(value.getBytes(StandardCharsets.UTF_8)) + ": use "
                    + AddressPattern.SYNTAX + ", with udp: for datagrams and FDNAME= for a name");
        }
        return new Listen(name, udp ? SocketType.DGRAM : SocketType.STREAM, address.startsWith("*:") ? address.substring(2) : address);
    }

    /** User= takes a user name or a uid (systemd.exec(5)); anything else could not be one. */
    private static String user(String user) throws BandaidException {
        if (!user.matches("[A-Za-z_][A-Za-z0-9_.-]{0,255}\\$?|[0-9]{1,10}")) {
            throw new BandaidException(ExitCode.USAGE, "--user " + Bytes.printable(user.getBytes(StandardCharsets.UTF_8))
                    + " is not a user name or uid");
        }
        return user;
    }

    /** What only the sockets tell: a --map name must be one the unit gives; --exit-idle-time cannot count unix datagrams. */
    static void checkAgainstSockets(UnitRequest r) throws BandaidException {
        List<String> names = UnitFiles.names(r.listen(), !r.bandaid().maps().isEmpty()).stream().flatMap(Optional::stream).distinct().toList();
        for (MapRule rule : r.bandaid().maps()) {
            if (!names.contains(rule.name())) {
                throw new BandaidException(ExitCode.USAGE, "--map " + rule.name() + "=" + rule.pattern() + ": the unit names its sockets "
                        + String.join(", ", names) + "; use one of them, or name one with --listen " + rule.name() + "=ADDRESS");
            }
        }
        Optional<Listen> unixDatagrams = r.listen().stream()
                .filter(l -> l.type() == SocketType.DGRAM && (l.address().startsWith("/") || l.address().startsWith("@"))).findFirst();
        if (r.bandaid().idleTimeGiven() && unixDatagrams.isPresent()) {
            throw new BandaidException(ExitCode.USAGE, "--exit-idle-time cannot tell when the unix datagram socket "
                    + unixDatagrams.get().address() + " is in use: datagrams on a unix socket leave no trace bandaid can read;"
                    + " pass stream or UDP sockets only, or leave out --exit-idle-time");
        }
    }

}
