package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.socket.Bytes;
import bandaid.service.Environment;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Where bandaid unit's paths point and its files go: the launcher and the program its
 * ExecStart= names (both must be there for the unit), and the two files it writes.
 */
final class UnitPlaces {
    private UnitPlaces() {
    }

    /**
     * The launcher the unit runs: the one that runs this (BANDAID_LAUNCHER, set by scripts/bandaid
     * and /usr/bin/bandaid), or /usr/bin/bandaid if installed. A checkout's scripts/bandaid builds
     * bandaid when its jar is missing: that must never happen inside a unit, on its first start.
     */
    static String launcher(Environment env) throws BandaidException {
        Optional<String> given = Optional.ofNullable(env.get("BANDAID_LAUNCHER"));
        String launcher = given.orElse("/usr/bin/bandaid");
        Path path = Path.of(launcher);
        // A launcher named outright may be for another machine (scripts/package writes the
        // .deb's examples for /usr/bin/bandaid); only the default must be here.
        if (!path.isAbsolute() || given.isEmpty() && !Files.isExecutable(path)) {
            throw new BandaidException(ExitCode.UNAVAILABLE, "the unit's ExecStart= needs bandaid's launcher, and " + launcher
                    + " is not one: run bandaid unit through /usr/bin/bandaid or a checkout's scripts/bandaid");
        }
        Path jar = path.getParent().resolveSibling("target").resolve("bandaid.jar");
        if (path.getParent().getFileName().toString().equals("scripts") && !Files.isRegularFile(jar)) {
            throw new BandaidException(ExitCode.UNAVAILABLE, jar + " is not built, and " + launcher
                    + " would build it inside the unit on its first start: build it first (cd " + path.getParent().getParent()
                    + " && mvn -q -DskipTests package)");
        }
        return launcher;
    }

    /** ProtectHome= and PrivateTmp= hide these from a hardened unit: its ExecStart= would not be found. */
    static void warnIfHidden(PrintStream err, String... paths) {
        for (String path : paths) {
            for (String hidden : List.of("/home/", "/root/", "/run/user/", "/tmp/", "/var/tmp/")) {
                if (path.startsWith(hidden)) {
                    err.println("bandaid: WARN: " + path + " is under " + hidden + ", which --harden hides from the service"
                            + " (ProtectHome=, PrivateTmp=): install it elsewhere, or relax that line");
                }
            }
        }
    }

    static void write(PrintStream out, UnitCommand.Request r, String socket, String service) throws BandaidException {
        Path dir = r.write().orElseThrow();
        Path socketFile = dir.resolve(r.name() + ".socket");
        Path serviceFile = dir.resolve(r.name() + ".service");
        for (Path file : List.of(socketFile, serviceFile)) {
            if (!r.force() && Files.exists(file)) {
                throw new BandaidException(ExitCode.CANTCREAT, file + " exists: --force replaces it");
            }
        }
        writeFile(socketFile, socket, r.force());
        writeFile(serviceFile, service, r.force());
        out.println("Wrote " + socketFile + " and " + serviceFile + ".");
        out.println(UnitFiles.template(r.name())
                ? "Start an instance with: systemctl daemon-reload && systemctl start " + r.name() + "INSTANCE.socket"
                : "Start it with: systemctl daemon-reload && systemctl enable --now " + r.name() + ".socket");
    }

    private static void writeFile(Path file, String text, boolean force) throws BandaidException {
        try {
            Files.writeString(file, text, force
                    ? new StandardOpenOption[] {StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE}
                    : new StandardOpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE});
        } catch (FileAlreadyExistsException e) {
            throw new BandaidException(ExitCode.CANTCREAT, file + " exists: --force replaces it");
        } catch (NoSuchFileException e) {
            throw new BandaidException(ExitCode.CANTCREAT, "cannot write " + file + ": " + file.getParent() + " does not exist");
        } catch (AccessDeniedException e) {
            throw new BandaidException(ExitCode.CANTCREAT, "cannot write " + file + ": permission denied");
        } catch (IOException e) {
            throw new BandaidException(ExitCode.CANTCREAT, "cannot write " + file + ": " + e.getMessage());
        }
    }

    /** ExecStart= wants an absolute path: look the program up on PATH the way a shell would. */
    static byte[] absoluteProgram(byte[] program, String path) throws BandaidException {
        String name = new String(program, StandardCharsets.UTF_8);
        if (!Arrays.equals(name.getBytes(StandardCharsets.UTF_8), program) || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            // systemd.service(5): "The command to execute may contain spaces, but control characters are not allowed."
            throw new BandaidException(ExitCode.USAGE, "the program " + Bytes.printable(program)
                    + ": systemd takes no control characters (or bytes that are not UTF-8) in the command's path");
        }
        if (name.contains("/")) {
            return Path.of(name).toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
        }
        for (String dir : Optional.ofNullable(path).orElse("/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate) && !Files.isDirectory(candidate)) {
                return candidate.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8);
            }
        }
        throw new BandaidException(ExitCode.NOT_FOUND, Bytes.printable(program) + ": command not found (on PATH)");
    }
}
