package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.matching.AddressPattern;
import bandaid.supervisor.Environment;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code bandaid unit NAME --listen ADDRESS... [--user USER] [--write DIR] -- PROGRAM ARGS...}:
 * prints (or writes) a NAME.socket + NAME.service pair that runs PROGRAM through bandaid
 * (systemd.socket(5), systemd.service(5)).
 */
final class UnitCommand {
    static final String USAGE = "usage is bandaid unit NAME --listen ADDRESS... [--user USER] [--write DIR] -- PROGRAM [ARGS...]";

    private UnitCommand() {
    }

    record Request(String name, List<String> listen, Optional<String> user, Optional<Path> write, List<String> program) {
    }

    static int run(Environment env, PrintStream out, Main.Errors errors, List<String> args) {
        try {
            Request request = parse(args.toArray(String[]::new));
            String launcher = Optional.ofNullable(env.get("BANDAID_LAUNCHER")).orElse("/usr/bin/bandaid");
            String socket = socketUnit(request);
            String service = serviceUnit(request, launcher, absoluteProgram(request.program().getFirst(), env.get("PATH")));
            if (request.write().isPresent()) {
                Path dir = request.write().get();
                Files.writeString(dir.resolve(request.name() + ".socket"), socket);
                Files.writeString(dir.resolve(request.name() + ".service"), service);
                out.println("Wrote " + dir.resolve(request.name() + ".socket") + " and " + dir.resolve(request.name() + ".service") + ".");
            } else {
                out.print("# " + request.name() + ".socket\n" + socket + "\n# " + request.name() + ".service\n" + service);
            }
            return 0;
        } catch (BandaidException e) {
            return errors.fail(e);
        } catch (IOException e) {
            return errors.fail(new BandaidException(ExitCode.OSERR, "cannot write the units: " + e.getMessage()));
        }
    }

    static Request parse(String... args) throws BandaidException {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new BandaidException(ExitCode.USAGE, "unit needs a NAME first: " + USAGE);
        }
        String name = args[0];
        if (!name.matches("[A-Za-z0-9:_.\\\\-]+")) {
            throw new BandaidException(ExitCode.USAGE, "unit name " + name + " has characters systemd does not allow in unit names");
        }
        List<String> listen = new ArrayList<>();
        Optional<String> user = Optional.empty();
        Optional<Path> write = Optional.empty();
        int i = 1;
        for (; i < args.length && !args[i].equals("--"); i++) {
            String option = args[i];
            if (i + 1 >= args.length) {
                throw new BandaidException(ExitCode.USAGE, option + " needs a value: " + USAGE);
            }
            String value = args[++i];
            switch (option) {
                case "--listen" -> listen.add(checkedListen(value));
                case "--user" -> user = Optional.of(value);
                case "--write" -> write = Optional.of(Path.of(value));
                default -> throw new BandaidException(ExitCode.USAGE, "unknown option " + option + ": " + USAGE);
            }
        }
        if (listen.isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "unit needs at least one --listen ADDRESS: " + USAGE);
        }
        if (i >= args.length - 1) {
            throw new BandaidException(ExitCode.USAGE, "unit needs the program after --: " + USAGE);
        }
        return new Request(name, listen, user, write, List.of(args).subList(i + 1, args.length));
    }

    /** ADDRESS as --map takes it, or udp:ADDRESS for a datagram socket. */
    private static String checkedListen(String value) throws BandaidException {
        String address = value.startsWith("udp:") ? value.substring(4) : value;
        if (AddressPattern.parse(address).isEmpty()) {
            throw new BandaidException(ExitCode.USAGE, "--listen " + value + ": use " + AddressPattern.SYNTAX + " (udp:ADDRESS for datagrams)");
        }
        return value;
    }

    static String socketUnit(Request r) {
        StringBuilder s = new StringBuilder("[Unit]\nDescription=" + r.name() + " sockets (passed to the program by bandaid)\n\n[Socket]\n");
        for (String listen : r.listen()) {
            String address = listen.startsWith("udp:") ? listen.substring(4) : listen;
            s.append(listen.startsWith("udp:") ? "ListenDatagram=" : "ListenStream=").append(address.startsWith("*:") ? address.substring(2) : address).append('\n');
        }
        s.append("# bandaid hands over listening sockets, not connections.\nAccept=no\n\n[Install]\nWantedBy=sockets.target\n");
        return s.toString();
    }

    static String serviceUnit(Request r, String launcher, String program) {
        List<String> command = new ArrayList<>(List.of(launcher, "--", program));
        command.addAll(r.program().subList(1, r.program().size()));
        StringBuilder s = new StringBuilder("[Unit]\nDescription=" + r.name() + " (socket-activated through bandaid)\n"
                + "Requires=" + r.name() + ".socket\nAfter=" + r.name() + ".socket\n\n[Service]\n");
        s.append("ExecStart=").append(String.join(" ", command.stream().map(UnitCommand::quote).toList())).append('\n');
        s.append("# bandaid passes HUP on to the program.\nExecReload=/bin/kill -HUP $MAINPID\n");
        r.user().ifPresent(u -> s.append("User=").append(u).append('\n'));
        s.append("# bandaid installs a seccomp filter itself: any SystemCallFilter= must allow seccomp.\n"
                + "SystemCallFilter=@system-service seccomp\n");
        return s.toString();
    }

    /** systemd.service(5) "Command lines": quote words with spaces, double % and $ (specifiers, variables). */
    static String quote(String word) {
        String escaped = word.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("$", "$$");
        return escaped.isEmpty() || escaped.chars().anyMatch(c -> Character.isWhitespace(c) || c == '\'' || c == ';')
                ? "\"" + escaped + "\"" : escaped;
    }

    /** ExecStart= wants an absolute path: look the program up on PATH the way a shell would. */
    static String absoluteProgram(String program, String path) throws BandaidException {
        if (program.contains("/")) {
            return Path.of(program).toAbsolutePath().normalize().toString();
        }
        for (String dir : Optional.ofNullable(path).orElse("/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize().toString();
            }
        }
        throw new BandaidException(ExitCode.NOT_FOUND, program + ": command not found (on PATH)");
    }
}
