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
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code bandaid unit NAME (--listen ADDRESS... | --learn) [OPTIONS] -- PROGRAM ARGS...}: prints
 * (or writes) a NAME.socket + NAME.service pair that runs PROGRAM through bandaid
 * (systemd.socket(5), systemd.service(5)). bandaid's own options among OPTIONS go into
 * ExecStart=, checked as bandaid itself checks them.
 */
final class UnitCommand {
    static final String USAGE = "usage is bandaid unit NAME[@] (--listen ADDRESS... | --learn) [--user USER] [--harden] [--private-network]"
            + " [--write DIR [--force]] [BANDAID-OPTIONS] -- PROGRAM [ARGS...]";

    static final String HELP = """
            Usage: bandaid unit NAME[@] (--listen ADDRESS... | --learn) [OPTIONS] [BANDAID-OPTIONS] -- PROGRAM [ARGS...]

            Prints a NAME.socket + NAME.service pair that runs PROGRAM through bandaid; NAME@ makes
            a template pair (systemctl start NAME@INSTANCE.socket; %i in an ADDRESS or an argument
            is the instance).

              --listen [FDNAME=][udp:]ADDRESS...  ListenStream= (ListenDatagram= with udp:) for ADDRESS:
                                   HOST:PORT, [IPV6]:PORT, *:PORT, PORT, /path or @abstract; repeatable.
                                   FDNAME= sets its FileDescriptorName= (named by kind and port otherwise
                                   when there are several)
              --learn              run PROGRAM once in a throwaway network namespace (needs root) and
                                   pass exactly the sockets it listens on
              --user USER          User=USER in the service
              --harden             sandbox the service (DynamicUser=, ProtectSystem=strict,
                                   SystemCallFilter=@system-service seccomp, ...)
              --private-network    PrivateNetwork=yes: the program serves the passed sockets and
                                   reaches no network of its own
              --write DIR          write the two files into DIR instead of printing them
              --force              replace files that exist in DIR
              -h, --help           show this help and exit
            BANDAID-OPTIONS (-v, --match, --map, --strict, --exit-idle-time) go into ExecStart=.
            """;

    private static final Set<String> FLAGS = Set.of("--verbose", "--strict", "--force", "--harden", "--private-network", "--learn");

    private UnitCommand() {
    }

    /**
     * @param listen         the socket unit's sockets (empty with --learn until learned)
     * @param ipv6Only       BindIPv6Only=ipv6-only (true) or both (false), as learned
     * @param bandaidOptions bandaid's own options for ExecStart=, each as one --option=VALUE word
     * @param program        the program and its arguments, as given
     */
    record Request(String name, List<Listen> listen, Optional<Boolean> ipv6Only, Optional<String> user, Optional<Path> write,
                   boolean force, boolean harden, boolean privateNetwork, boolean learn, List<String> bandaidOptions,
                   List<MapRule> maps, List<byte[]> program, Optional<String> workingDirectory) {
        /** What --learn found, in the directory where the program ran: the unit runs it there too. */
        Request withLearned(List<Listen> learned, Optional<Boolean> v6Only, String directory) {
            return new Request(name, learned, v6Only, user, write, force, harden, privateNetwork, learn, bandaidOptions, maps, program,
                    directory.equals("/") ? Optional.empty() : Optional.of(directory));
        }
    }

    static int run(Environment env, PrintStream out, Main.Errors errors, List<byte[]> args) {
        List<String> words = args.stream().map(a -> new String(a, StandardCharsets.UTF_8)).toList();
        int end = words.indexOf("--") < 0 ? words.size() : words.indexOf("--");
        if (words.subList(0, end).stream().anyMatch(w -> w.equals("--help") || w.equals("-h"))) {
            out.print(HELP);
            return 0;
        }
        try {
            Request request = parse(words, args);
            String launcher = UnitPlaces.launcher(env);
            List<byte[]> command = new ArrayList<>();
            command.add(launcher.getBytes(StandardCharsets.UTF_8));
            request.bandaidOptions().forEach(o -> command.add(o.getBytes(StandardCharsets.UTF_8)));
            command.add("--".getBytes(StandardCharsets.UTF_8));
            byte[] program = UnitPlaces.absoluteProgram(request.program().getFirst(), env.get("PATH"));
            command.add(program);
            command.addAll(request.program().subList(1, request.program().size()));
            if (request.learn()) {
                List<byte[]> toRun = new ArrayList<>(command.subList(command.indexOf(program), command.size()));
                UnitLearning.Learned learned = UnitLearning.learn(env, errors.err(), toRun);
                request = request.withLearned(learned.listen(), learned.ipv6Only(), System.getProperty("user.dir"));
                checkAgainstSockets(request);
            }
            if (request.harden()) {
                UnitPlaces.warnIfHidden(errors.err(), launcher, new String(program, StandardCharsets.UTF_8), request.workingDirectory().orElse("/") + "/");
            }
            String socket = UnitFiles.socket(request);
            String service = UnitFiles.service(request, command);
            if (request.write().isPresent()) {
                UnitPlaces.write(out, request, socket, service);
            } else {
                out.print("# " + request.name() + ".socket\n" + socket + "\n# " + request.name() + ".service\n" + service);
            }
            return 0;
        } catch (BandaidException e) {
            return errors.fail(e);
        }
    }

    /** {@link #parse(List, List)} for words given as text. */
    static Request parse(String... words) throws BandaidException {
        return parse(List.of(words), Stream.of(words).map(w -> w.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** @param raw the same words as bytes: the program's are passed on exactly */
    static Request parse(List<String> words, List<byte[]> raw) throws BandaidException {
        if (words.isEmpty() || words.getFirst().startsWith("-")) {
            throw new BandaidException(ExitCode.USAGE, "unit needs a NAME first: " + USAGE);
        }
        String name = words.getFirst().replaceFirst("\\.(socket|service)$", "");
        if (!name.matches("[A-Za-z0-9:_.\\\\-]+@?") || name.length() > 200) {
            throw new BandaidException(ExitCode.USAGE, "unit name " + Bytes.printable(raw.getFirst()) + (name.matches(".*@.+")
                    ? " names an instance: give the template NAME@ and start NAME@INSTANCE.socket"
                    : " has characters systemd does not allow in unit names (letters, digits, :_.\\- and a final @ for a template)"));
        }
        List<Listen> listen = new ArrayList<>();
        Optional<String> user = Optional.empty();
        Optional<Path> write = Optional.empty();
        boolean force = false;
        boolean harden = false;
        boolean privateNetwork = false;
        boolean learn = false;
        List<String> bandaid = new ArrayList<>();
        List<MapRule> maps = new ArrayList<>();
        String match = "address";
        int i = 1;
        for (; i < words.size() && !words.get(i).equals("--"); i++) {
            String word = words.get(i);
            int eq = word.indexOf('=');
            String option = word.startsWith("--") && eq > 0 ? word.substring(0, eq) : word;
            Optional<String> glued = option.equals(word) ? Optional.empty() : Optional.of(word.substring(eq + 1));
            if (glued.isPresent() && FLAGS.contains(option)) {
                throw new BandaidException(ExitCode.USAGE, option + " takes no value, got " + word);
            }
            switch (option) {
                case "--listen" -> {
                    if (glued.isPresent()) {
                        listen.add(listen(glued.get()));
                    } else {
                        int first = i + 1;
                        while (i + 1 < words.size() && !words.get(i + 1).startsWith("-")) {
                            listen.add(listen(words.get(++i)));
                        }
                        if (i < first) {
                            throw new BandaidException(ExitCode.USAGE, "--listen needs an ADDRESS: " + USAGE);
                        }
                    }
                }
                case "--user" -> user = Optional.of(user(glued.isPresent() ? glued.get() : value(words, ++i, option)));
                case "--write" -> write = Optional.of(Path.of(glued.isPresent() ? glued.get() : value(words, ++i, option)));
                case "--match" -> {
                    match = glued.isPresent() ? glued.get() : value(words, ++i, option);
                    if (!match.equals("address") && !match.equals("socket")) {
                        throw new BandaidException(ExitCode.USAGE, "unknown --match " + match + ": use address or socket");
                    }
                    bandaid.add("--match=" + match);
                }
                case "--map" -> {
                    String rule = glued.isPresent() ? glued.get() : value(words, ++i, option);
                    maps.add(MapRule.parse(rule));
                    bandaid.add("--map=" + rule);
                }
                case "--exit-idle-time" -> {
                    String span = glued.isPresent() ? glued.get() : value(words, ++i, option);
                    try {
                        TimeSpan.parse(span);
                    } catch (IllegalArgumentException e) {
                        throw new BandaidException(ExitCode.USAGE, "--exit-idle-time=" + span + " is not a time span: " + e.getMessage());
                    }
                    bandaid.add("--exit-idle-time=" + span);
                }
                case "-v", "--verbose", "--strict" -> bandaid.add(word);
                case "--force" -> force = true;
                case "--harden" -> harden = true;
                case "--private-network" -> privateNetwork = true;
                case "--learn" -> learn = true;
                default -> throw new BandaidException(ExitCode.USAGE, "unknown option " + Bytes.printable(raw.get(i)) + ": " + USAGE);
            }
        }
        if (learn && !listen.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "--learn finds the sockets itself: give it without --listen");
        }
        if (!learn && listen.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "unit needs --listen ADDRESS (or --learn): " + USAGE);
        }
        if (force && write.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "--force replaces files --write DIR would write: give --write DIR too");
        }
        if (!maps.isEmpty() && match.equals("socket")) {
            throw new BandaidException(ExitCode.USAGE, "--map needs --match=address: socket() carries no address to map");
        }
        if (i >= words.size() - 1) {
            throw new BandaidException(ExitCode.USAGE, "unit needs the program after --: " + USAGE);
        }
        Request request = new Request(name, listen, Optional.empty(), user, write, force, harden, privateNetwork, learn,
                List.copyOf(bandaid), List.copyOf(maps), List.copyOf(raw.subList(i + 1, raw.size())), Optional.empty());
        if (!learn) {
            checkAgainstSockets(request);
        }
        return request;
    }

    private static String value(List<String> words, int at, String option) throws BandaidException {
        if (at >= words.size() || words.get(at).equals("--")) {
            throw new BandaidException(ExitCode.USAGE, option + " needs a value, as " + option + "=VALUE: " + USAGE);
        }
        return words.get(at);
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

    /** What only the sockets tell: a --map name must be one the unit gives; --exit-idle-time counts stream connections. */
    static void checkAgainstSockets(Request r) throws BandaidException {
        List<String> names = UnitFiles.names(r.listen(), !r.maps().isEmpty()).stream().flatMap(Optional::stream).toList();
        for (MapRule rule : r.maps()) {
            if (!names.contains(rule.name())) {
                throw new BandaidException(ExitCode.USAGE, "--map " + rule.name() + "=" + rule.pattern() + ": the unit names its sockets "
                        + String.join(", ", names) + "; use one of them, or name one with --listen " + rule.name() + "=ADDRESS");
            }
        }
        if (r.bandaidOptions().stream().anyMatch(o -> o.startsWith("--exit-idle-time="))
                && r.listen().stream().noneMatch(l -> l.type() == SocketType.STREAM)) {
            throw new BandaidException(ExitCode.USAGE,
                    "--exit-idle-time needs a stream socket: bandaid counts connections, and datagram sockets have none");
        }
    }

}
