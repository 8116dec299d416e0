package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.ExitCode;
import bandaid.service.Environment;
import java.util.Map;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The man page (src/man/bandaid.1) and the program must not drift apart: the options documented
 * there are exactly those {@code bandaid --help} lists, and its EXIT STATUS lists exactly the
 * codes of {@link ExitCode}.
 */
class ManPageTest {
    private static final Path MAN_PAGE = Path.of("src/man/bandaid.1");
    /** An option word: -v, --exit-idle-time (not "--" alone, not a hyphen inside a word). */
    private static final Pattern OPTION = Pattern.compile("(?<![\\w-])--?[a-zA-Z][\\w-]*");

    @Test
    void documentsEveryOptionOfTheHelpAndNoOther() throws IOException {
        Set<String> help = options(help());
        Set<String> man = manOptions(Files.readAllLines(MAN_PAGE));
        // The help lists the main options and, in its usage lines, those of `bandaid unit`.
        assertTrue(help.containsAll(Set.of("--verbose", "--match", "--listen")), "options read from --help: " + help);
        assertEquals(help, man, "--help lists " + help + ", " + MAN_PAGE + " documents " + man
                + " (missing from the man page: " + minus(help, man) + "; not in --help: " + minus(man, help) + ")");
    }

    @Test
    void listsEveryExitCodeAndNoOther() throws IOException {
        Set<Integer> codes = Arrays.stream(ExitCode.values()).map(ExitCode::code).collect(Collectors.toCollection(TreeSet::new));
        Set<Integer> man = new TreeSet<>();
        for (String tag : tags(section(Files.readAllLines(MAN_PAGE), "EXIT STATUS"))) {
            man.add(Integer.parseInt(tag.strip()));
        }
        assertEquals(codes, man, MAN_PAGE + ", EXIT STATUS");
    }

    @Test
    void readsOptionsTheWayTheComparisonNeeds() {
        // So that the comparison above can fail: a tag the help lacks is seen, escapes and all.
        List<String> page = List.of(".SH OPTIONS", ".TP", ".BR \\-v \", \" \\-\\-verbose", "Text with \\-\\-not\\-a\\-tag.",
                ".TP", ".BI \\-\\-exit\\-idle\\-time= SPAN", ".SH EXAMPLES", ".TP", ".B \\-\\-other");
        assertEquals(new TreeSet<>(Set.of("-v", "--verbose", "--exit-idle-time")), manOptions(page));
        assertEquals(new TreeSet<>(Set.of("-h", "--help", "--listen")),
                options("  -h, --help\n      Show this -- help and exit\n  bandaid unit NAME --listen ADDRESS... -- PROGRAM"));
    }

    private static String help() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Main.run(Environment.of(Map.of()), new PrintStream(out, true, StandardCharsets.UTF_8), System.err, "--help");
        assertEquals(0, status);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static Set<String> options(String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = OPTION.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    /** The options in the tags (.TP) of OPTIONS and COMMANDS (where `bandaid unit`'s are). */
    static Set<String> manOptions(List<String> page) {
        Set<String> found = new TreeSet<>();
        for (String name : List.of("OPTIONS", "COMMANDS")) {
            for (String tag : tags(section(page, name))) {
                found.addAll(options(tag));
            }
        }
        return found;
    }

    /** The lines of section {@code .SH NAME}, up to the next .SH. */
    private static List<String> section(List<String> page, String name) {
        List<String> lines = new ArrayList<>();
        boolean in = false;
        for (String line : page) {
            if (line.startsWith(".SH ")) {
                in = line.substring(4).replace("\"", "").strip().equals(name);
            } else if (in) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** The tag lines (the line after each .TP), as plain text: no font macros or escapes. */
    private static List<String> tags(List<String> lines) {
        List<String> tags = new ArrayList<>();
        for (int i = 0; i + 1 < lines.size(); i++) {
            if (lines.get(i).strip().equals(".TP")) {
                tags.add(plain(lines.get(i + 1)));
            }
        }
        return tags;
    }

    private static String plain(String roff) {
        return roff.replaceFirst("^\\.(B|I|BR|RB|BI|IB|IR|RI)\\s+", "")
                .replaceAll("\\\\f(\\(..|\\[[^]]*]|.)", "")
                .replace("\\-", "-")
                .replace("\\c", "")
                .replace("\"", "");
    }

    private static Set<String> minus(Set<String> a, Set<String> b) {
        Set<String> d = new TreeSet<>(a);
        d.removeAll(b);
        return d;
    }
}
