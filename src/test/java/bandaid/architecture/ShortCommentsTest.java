package bandaid.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A comment says why in a few lines, citing the man page or the kernel; the long explanation goes
 * to ARCHITECTURE.md or README.md, and a measured figure to BENCHMARKS.md, where it is discussed
 * and kept up to date (issue 22). Holds the hand-written sources (not bindings/, jextract's) and
 * the launchers' shell code.
 */
class ShortCommentsTest {
    /** The most lines a comment block may run: a few lines of why, with room for a javadoc's @params. */
    static final int MOST_LINES = 12;
    /** A measured time or size: a number followed by µs, ms, MB or KB (or MiB, KiB), or "~N s". */
    static final Pattern FIGURE = Pattern.compile("\\d(?:[.,]\\d+)?\\s?(?:µs|us|ms|MB|KB|kB|MiB|KiB)\\b|~\\s?\\d+(?:[.,]\\d+)?\\s?s\\b");

    private static final Path SOURCES = Path.of("src/main/java/bandaid");
    private static final List<Path> SCRIPTS = List.of(Path.of("scripts/lib/launch.sh"), Path.of("scripts/bandaid"));

    /** One comment block: where it starts, how many lines it runs, and its text. */
    record Block(String where, int lines, List<String> text) {
    }

    @Test
    void noCommentBlockRunsLong() throws IOException {
        List<String> found = new ArrayList<>();
        for (Block block : allBlocks()) {
            if (block.lines() > MOST_LINES) {
                found.add(block.where() + " (" + block.lines() + " lines)");
            }
        }
        assertEquals(List.of(), found, "comment blocks of more than " + MOST_LINES + " lines: say why in a few, and move the rest to "
                + "ARCHITECTURE.md or README.md (" + found.size() + ")");
    }

    @Test
    void noMeasuredFigureInACodeComment() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : javaSources()) {
            for (Block block : javaBlocks(file, Files.readAllLines(file))) {
                for (String line : block.text()) {
                    if (FIGURE.matcher(line).find()) {
                        found.add(block.where() + ": " + line.strip());
                    }
                }
            }
        }
        assertEquals(List.of(), found, "measured figures in code comments: they belong in BENCHMARKS.md (" + found.size() + ")");
    }

    @Test
    void theChecksKnowALongCommentAndAFigureWhenTheySeeThem() {
        List<String> java = List.of("/**", " * one", " * two", " */", "class A {", "    // a", "    // b", "    int x; // ~2 ms here", "}");
        List<Block> blocks = javaBlocks(Path.of("A.java"), java);
        assertEquals(List.of(4, 2, 1), blocks.stream().map(Block::lines).toList());
        assertEquals("A.java:6", blocks.get(1).where());
        List<Block> shell = shellBlocks(Path.of("a.sh"), List.of("#!/bin/bash", "# one", "  # two", "x=1 # not a block", "# three"));
        assertEquals(List.of(2, 1), shell.stream().map(Block::lines).toList());
        for (String figure : List.of("~2 ms", "1-2 µs apiece", "40.9 -> 40.5 MB", "~0.1 s of CPU", "512 KB", "335ms")) {
            assertEquals(true, FIGURE.matcher(figure).find(), figure);
        }
        for (String not : List.of("2<sup>64</sup>-2 microseconds", "IPv4 and IPv6", "{@code 1.5s}", "fds 0-2 only", "x86-64", "5 s")) {
            assertEquals(false, FIGURE.matcher(not).find(), not);
        }
    }

    private static List<Block> allBlocks() throws IOException {
        List<Block> blocks = new ArrayList<>();
        for (Path file : javaSources()) {
            blocks.addAll(javaBlocks(file, Files.readAllLines(file)));
        }
        for (Path script : SCRIPTS) {
            blocks.addAll(shellBlocks(script, Files.readAllLines(script)));
        }
        return blocks;
    }

    private static List<Path> javaSources() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(SOURCES.resolve("bindings"))).sorted().toList();
        }
    }

    /** A /* ... *&#47; comment, or a run of lines that are // comments; a // comment after code is a block of one line. */
    static List<Block> javaBlocks(Path file, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            int end = i;
            if (line.startsWith("/*")) {
                while (end < lines.size() - 1 && !lines.get(end).contains("*/")) {
                    end++;
                }
            } else if (line.startsWith("//")) {
                while (end < lines.size() - 1 && lines.get(end + 1).strip().startsWith("//")) {
                    end++;
                }
            } else {
                int trailing = lines.get(i).indexOf(" // ");
                if (trailing >= 0) {
                    blocks.add(new Block(file + ":" + (i + 1), 1, List.of(lines.get(i).substring(trailing))));
                }
                continue;
            }
            blocks.add(new Block(file + ":" + (i + 1), end - i + 1, lines.subList(i, end + 1)));
            i = end;
        }
        return blocks;
    }

    /** A run of lines that are # comments (not the #! line). */
    static List<Block> shellBlocks(Path file, List<String> lines) {
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!isShellComment(lines.get(i))) {
                continue;
            }
            int end = i;
            while (end < lines.size() - 1 && isShellComment(lines.get(end + 1))) {
                end++;
            }
            blocks.add(new Block(file + ":" + (i + 1), end - i + 1, lines.subList(i, end + 1)));
            i = end;
        }
        return blocks;
    }

    private static boolean isShellComment(String line) {
        String s = line.strip();
        return s.startsWith("#") && !s.startsWith("#!");
    }
}
