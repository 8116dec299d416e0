package bandaid.service;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Why exec(2) said ENOENT for a program that is there. execve(2): ENOENT also means that the
 * interpreter of a script (its {@code #!} line) or of an ELF file (its dynamic loader, PT_INTERP)
 * was not found; posix_spawnp reports it the same way as a program not found, and "command not
 * found" would send the user looking for a file that exists.
 */
final class MissingInterpreter {
    /** binfmt_script reads the #! line from the first BINPRM_BUF_SIZE (256) bytes. */
    private static final int SCRIPT_HEAD = 256;
    private static final int PT_INTERP = 3;

    private MissingInterpreter() {
    }

    /**
     * The missing interpreter of the file posix_spawnp or execvp would have run for
     * {@code program} (with no slash: the first regular file of that name in the directories of
     * the first PATH of {@code environment}, as execvp(3) looks, an empty entry being the working
     * directory, /bin:/usr/bin without one).
     *
     * @return empty when there is no such file, or its interpreter exists, or it names none
     */
    static Optional<Found> of(byte[] program, List<byte[]> environment) {
        String name = new String(program, StandardCharsets.UTF_8);
        List<Path> candidates;
        if (name.contains("/")) {
            candidates = List.of(Path.of(name));
        } else {
            String dirs = environment.stream().map(e -> new String(e, StandardCharsets.UTF_8)).filter(e -> e.startsWith("PATH="))
                    .findFirst().map(e -> e.substring("PATH=".length())).orElse("/bin:/usr/bin");
            candidates = Arrays.stream(dirs.split(":", -1)).map(d -> Path.of(d.isEmpty() ? "." : d, name)).toList();
        }
        for (Path file : candidates) {
            if (Files.isRegularFile(file)) {
                return interpreterOf(file).filter(found -> !Files.exists(Path.of(found.interpreter())));
            }
        }
        return Optional.empty();
    }

    /**
     * A program file and the interpreter it names, which is not there.
     *
     * @param script whether it is a script's #! line (else an ELF file's dynamic loader)
     */
    record Found(String file, String interpreter, boolean script) {
        /** What is missing, in the user's terms. */
        String message() {
            return script ? file + ": its interpreter " + interpreter + " (the #! line) was not found"
                    : file + ": its dynamic loader " + interpreter + " (the ELF interpreter) was not found";
        }
    }

    /** The interpreter {@code file} names: its #! line's, or its ELF dynamic loader. */
    private static Optional<Found> interpreterOf(Path file) {
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer head = read(channel, 0, SCRIPT_HEAD);
            if (head.limit() >= 2 && head.get(0) == '#' && head.get(1) == '!') {
                return scriptInterpreter(Arrays.copyOf(head.array(), head.limit())).map(i -> new Found(file.toString(), i, true));
            }
            return elfInterpreter(channel, head).map(i -> new Found(file.toString(), i, false));
        } catch (IOException | RuntimeException e) {
            // unreadable, or not a file we understand: no interpreter to name
            return Optional.empty();
        }
    }

    /** Up to {@code length} bytes of {@code channel} from {@code position}, little-endian. */
    private static ByteBuffer read(FileChannel channel, long position, int length) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buffer.hasRemaining() && channel.read(buffer, position + buffer.position()) > 0) {
            // until full or at the end
        }
        return buffer.flip();
    }

    /** binfmt_script: after "#!", blanks, then the interpreter up to a blank, newline or NUL. */
    private static Optional<String> scriptInterpreter(byte[] head) {
        int start = 2;
        while (start < head.length && (head[start] == ' ' || head[start] == '\t')) {
            start++;
        }
        int end = start;
        while (end < head.length && head[end] != ' ' && head[end] != '\t' && head[end] != '\n' && head[end] != 0) {
            end++;
        }
        return end > start ? Optional.of(new String(head, start, end - start, StandardCharsets.UTF_8)) : Optional.empty();
    }

    /** elf(5): a 64-bit little-endian ELF file's PT_INTERP segment, the dynamic loader's path. */
    private static Optional<String> elfInterpreter(FileChannel channel, ByteBuffer head) throws IOException {
        if (head.limit() < 64 || head.getInt(0) != 0x464c457f || head.get(4) != 2 || head.get(5) != 1) {
            return Optional.empty();
        }
        long phoff = head.getLong(32);
        int phentsize = Short.toUnsignedInt(head.getShort(54));
        int phnum = Short.toUnsignedInt(head.getShort(56));
        if (phentsize < 40) {
            return Optional.empty();
        }
        ByteBuffer headers = read(channel, phoff, phentsize * phnum);
        for (int ph = 0; ph + phentsize <= headers.limit(); ph += phentsize) {
            if (headers.getInt(ph) == PT_INTERP) {
                long size = headers.getLong(ph + 32);
                ByteBuffer path = read(channel, headers.getLong(ph + 8), (int) Math.min(size, 4096));
                int end = 0;
                while (end < path.limit() && path.get(end) != 0) {
                    end++;
                }
                return Optional.of(new String(path.array(), 0, end, StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }
}
