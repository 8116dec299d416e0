package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.socket.Bytes;
import bandaid.service.Environment;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where bandaid unit's paths point and its files go: the launcher and the program its
 * ExecStart= names (both must be there for the unit), and the unit files it writes.
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

    /**
     * Writes {@code files} (name to text) into the request's DIR: none if one is there already,
     * unless --force. A socket unit of NAME.service's that this write does not replace (left from
     * an earlier write with other sockets) would pass its sockets to the service too: said.
     */
    static void write(PrintStream out, PrintStream err, UnitRequest r, Map<String, String> files) throws BandaidException {
        Path dir = r.write().orElseThrow();
        for (String file : files.keySet()) {
            if (!r.force() && Files.exists(dir.resolve(file))) {
                throw new BandaidException(ExitCode.CANTCREAT, dir.resolve(file) + " exists: --force replaces it");
            }
        }
        for (Map.Entry<String, String> file : files.entrySet()) {
            writeFile(dir.resolve(file.getKey()), file.getValue(), r.force());
        }
        List<String> written = files.keySet().stream().map(f -> dir.resolve(f).toString()).toList();
        out.println("Wrote " + String.join(", ", written.subList(0, written.size() - 1)) + " and " + written.getLast() + ".");
        List<String> sockets = files.keySet().stream().filter(f -> f.endsWith(".socket")).toList();
        for (Path stale : staleSockets(dir, r.name(), files.keySet())) {
            err.println("bandaid: WARN: " + stale + " is left from before and passes its sockets to " + UnitFiles.serviceFile(r.name())
                    + " too: remove it (systemctl disable --now " + stale.getFileName() + ")");
        }
        out.println(UnitFiles.template(r.name())
                ? "Start an instance with: systemctl daemon-reload && systemctl start "
                        + String.join(" ", sockets.stream().map(f -> f.replace("@.socket", "@INSTANCE.socket")).toList())
                : "Start it with: systemctl daemon-reload && systemctl enable --now " + String.join(" ", sockets));
    }

    /**
     * Socket units in DIR that start NAME.service and are not among {@code written}: NAME.socket
     * (systemd pairs it with NAME.service by name) and any with {@code Service=NAME.service}.
     */
    private static List<Path> staleSockets(Path dir, String name, Set<String> written) {
        String service = UnitFiles.serviceFile(name);
        String instance = UnitFiles.template(name) ? name + "%i.service" : service;
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".socket")).sorted().toList()) {
                String fileName = file.getFileName().toString();
                if (written.contains(fileName)) {
                    continue;
                }
                if (fileName.equals(name + ".socket")) {
                    stale.add(file);
                } else if (Files.isRegularFile(file) && Files.size(file) < 65536) {
                    String text = Files.readString(file, StandardCharsets.UTF_8);
                    if (text.contains("\nService=" + service + "\n") || text.contains("\nService=" + instance + "\n")) {
                        stale.add(file);
                    }
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Only a warning's worth: the files were written.
        }
        return stale;
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
