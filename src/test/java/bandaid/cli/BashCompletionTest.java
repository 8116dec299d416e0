package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Tab completes bandaid's command line (src/completion/bandaid) under bash-completion: every
 * option the man page documents, the values of --match, and from the program on, the program's
 * own completion. Each line is completed the way readline hands it over: words split at blanks
 * and at = and : (COMP_WORDBREAKS).
 */
class BashCompletionTest {
    private static final Path BASH_COMPLETION = Path.of("/usr/share/bash-completion/bash_completion");
    private static final Path COMPLETION = Path.of("src/completion/bandaid");
    private static final Path MAN_PAGE = Path.of("src/man/bandaid.1");

    @BeforeAll
    static void needsBashCompletion() {
        assumeTrue(Files.isRegularFile(BASH_COMPLETION), "bash-completion is not installed (apt-get install bash-completion)");
    }

    @Test
    void offersEveryOptionTheManPageDocuments() throws IOException {
        List<String> page = Files.readAllLines(MAN_PAGE);
        Set<String> options = ManPageTest.manOptions(part(page, ".SH OPTIONS", ".SH"));
        Set<String> unitOptions = ManPageTest.manOptions(part(page, ".SS bandaid unit", ".S"));
        assertTrue(options.containsAll(Set.of("--verbose", "--exit-idle-time")) && unitOptions.contains("--listen"),
                "options read from " + MAN_PAGE + ": " + options + ", unit " + unitOptions);

        Set<String> offered = withoutEquals(complete("bandaid -"));
        assertTrue(offered.containsAll(options), "bandaid - offers " + offered + ", the man page documents " + options);
        Set<String> offeredForUnit = withoutEquals(complete("bandaid unit web -"));
        assertTrue(offeredForUnit.containsAll(unitOptions),
                "bandaid unit web - offers " + offeredForUnit + ", the man page documents " + unitOptions);
    }

    @Test
    void completesTheValuesOfOptions() {
        assertEquals(List.of("--map=", "--match="), complete("bandaid --ma"));
        assertEquals(List.of("address", "socket"), complete("bandaid --match="));
        assertEquals(List.of("socket"), complete("bandaid -v --match s"));
        assertEquals(List.of(), complete("bandaid --exit-idle-time="));
        assertTrue(complete("bandaid unit web --listen 8080 --user ro").contains("root"));
        assertTrue(complete("bandaid unit web --listen 8080 --write /e").contains("/etc"));
    }

    @Test
    void offersSubcommandsAndProgramsFirst() {
        List<String> first = complete("bandaid uni");
        assertTrue(first.contains("unit") && first.contains("uniq"), "bandaid uni offers " + first);
        assertTrue(complete("bandaid ins").contains("inspect"));
        assertEquals(List.of(), complete("bandaid inspect "));
        assertEquals(List.of(), complete("bandaid --version "));
    }

    @Test
    void handsTheRestOfTheLineToTheProgramsCompletion() {
        assumeTrue(Files.isRegularFile(Path.of("/usr/share/bash-completion/completions/systemctl")), "systemctl has no completion here");
        for (String line : List.of("bandaid systemctl sta", "bandaid -v systemctl sta", "bandaid -- systemctl sta",
                "bandaid --match=socket --strict -- systemctl sta", "bandaid --map=web=[::1]:80 --exit-idle-time 1h systemctl sta",
                "bandaid --map web=127.0.0.1:8080 systemctl sta", "bandaid unit web --listen 8080 --user root -- systemctl sta")) {
            List<String> offered = complete(line);
            assertTrue(offered.containsAll(List.of("start", "status")), line + " offers " + offered);
        }
        List<String> programOptions = complete("bandaid -v -- systemctl --s");
        assertTrue(programOptions.contains("--system") && !programOptions.contains("--strict"),
                "the program's options, not bandaid's: " + programOptions);
        assertFalse(complete("bandaid --match socket ").contains("socket"), "a value is not offered twice");
    }

    /** The lines from the one that starts with {@code start} up to the next line that starts with {@code end}, under a .SH COMMANDS heading for a .SS part. */
    private static List<String> part(List<String> page, String start, String end) {
        List<String> lines = new ArrayList<>(start.startsWith(".SS") ? List.of(".SH COMMANDS") : List.of());
        int from = 0;
        while (from < page.size() && !page.get(from).startsWith(start)) {
            from++;
        }
        assertTrue(from < page.size(), MAN_PAGE + " has no " + start);
        lines.add(page.get(from));
        for (String line : page.subList(from + 1, page.size())) {
            if (line.startsWith(end)) {
                break;
            }
            lines.add(line);
        }
        return lines;
    }

    private static Set<String> withoutEquals(List<String> offered) {
        Set<String> names = new TreeSet<>();
        offered.forEach(o -> names.add(o.endsWith("=") ? o.substring(0, o.length() - 1) : o));
        return names;
    }

    /** What pressing Tab at the end of {@code line} offers, sorted and without duplicates. */
    static List<String> complete(String line) {
        List<String> words = readlineWords(line);
        String script = """
                source /usr/share/bash-completion/bash_completion
                source "$1"
                COMP_LINE=$2
                COMP_POINT=${#COMP_LINE}
                shift 2
                COMP_WORDS=("$@")
                COMP_CWORD=$(($# - 1))
                _bandaid bandaid "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
                printf '%s\\n' "${COMPREPLY[@]}"
                """;
        List<String> command = new ArrayList<>(List.of("bash", "--norc", "-c", script, "bash", COMPLETION.toString(), line));
        command.addAll(words);
        try {
            // compopt complains outside a real Tab press: stderr is not part of the answer.
            Process bash = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(bash.waitFor(10, TimeUnit.SECONDS), "completing " + line + " took over 10 s");
            return out.lines().filter(s -> !s.isEmpty()).distinct().sorted().toList();
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("cannot run bash to complete " + line, e);
        }
    }

    /** COMP_WORDS as readline makes them: blanks separate words, and each run of = or : is a word of its own. */
    static List<String> readlineWords(String line) {
        List<String> words = new ArrayList<>();
        for (String blankSeparated : line.strip().split("\\s+")) {
            Matcher m = Pattern.compile("[=:]+|[^=:]+").matcher(blankSeparated);
            while (m.find()) {
                words.add(m.group());
            }
        }
        if (line.endsWith(" ")) {
            words.add("");
        }
        return words;
    }
}
