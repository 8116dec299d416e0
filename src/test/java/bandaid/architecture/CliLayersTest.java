package bandaid.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The files of bandaid.cli form layers too (ARCHITECTURE.md): Main at the top, the commands below
 * it, the unit command's parts below them, the shared parsing, options, help and errors below
 * those. A file may use the files of its own layer and those below, never one above: a command
 * does not reach up to Main, a part of {@code unit} not up to UnitCommand. Read from the sources
 * with comments and string literals left out, so that a word in prose is no reference.
 */
class CliLayersTest {
    private static final Path CLI = Path.of("src/main/java/bandaid/cli");
    /** Top first. */
    private static final List<Set<String>> LAYERS = List.of(
            Set.of("Main"),
            Set.of("InspectCommand", "UnitCommand", "BrokerCommand"),
            Set.of("UnitLearning", "UnitPlaces"),
            Set.of("UnitFiles", "UnitRequest"),
            Set.of("Help", "CommandLine", "Options", "UnitOptions", "Errors"),
            Set.of("TimeSpan", "JournalWriter"));

    @Test
    void noFileUsesOneAboveIt() throws IOException {
        Map<String, String> sources = sources();
        Set<String> placed = new TreeSet<>();
        LAYERS.forEach(placed::addAll);
        assertEquals(placed, sources.keySet(), "the files of " + CLI + " (a new one needs a layer here and in ARCHITECTURE.md)");
        Map<String, Set<String>> upward = new TreeMap<>();
        for (Map.Entry<String, String> file : sources.entrySet()) {
            Set<String> above = new TreeSet<>();
            for (Set<String> layer : LAYERS.subList(0, layer(file.getKey()))) {
                above.addAll(layer);
            }
            Set<String> used = uses(file.getValue(), above);
            if (!used.isEmpty()) {
                upward.put(file.getKey(), used);
            }
        }
        assertEquals(Map.of(), upward, "files of bandaid.cli that use files above them");
    }

    @Test
    void theCheckSeesCodeNotProse() {
        String code = """
                /** Called by Main, never {@link Main#run}. */
                class X { // Main
                    String s = "Main";
                    String t = \"""
                        Main
                        \""";
                    int status = Main.run(x);
                    Errors e;
                }
                """;
        assertEquals(Set.of("Main"), uses(code, Set.of("Main", "Help")));
        assertEquals(Set.of(), uses(code.replace("Main.run", "run"), Set.of("Main")));
    }

    private static int layer(String file) {
        for (int i = 0; i < LAYERS.size(); i++) {
            if (LAYERS.get(i).contains(file)) {
                return i;
            }
        }
        throw new AssertionError(file + " has no layer");
    }

    /** Which of {@code names} the code uses, as whole words outside comments and string literals. */
    static Set<String> uses(String source, Set<String> names) {
        String code = withoutCommentsAndStrings(source);
        Set<String> used = new TreeSet<>();
        for (String name : names) {
            if (Pattern.compile("\\b" + name + "\\b").matcher(code).find()) {
                used.add(name);
            }
        }
        return used;
    }

    private static final Pattern NOISE = Pattern.compile("\"\"\"(?s:.*?)\"\"\"|\"(?:\\\\.|[^\"\\\\])*\"|'(?:\\\\.|[^'\\\\])*'|/\\*(?s:.*?)\\*/|//[^\n]*");

    private static String withoutCommentsAndStrings(String source) {
        Matcher m = NOISE.matcher(source);
        return m.replaceAll(" ");
    }

    private static Map<String, String> sources() throws IOException {
        Map<String, String> sources = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(CLI)) {
            files = new ArrayList<>(list.filter(f -> f.toString().endsWith(".java")).toList());
        }
        for (Path file : files) {
            sources.put(file.getFileName().toString().replace(".java", ""), Files.readString(file));
        }
        return sources;
    }
}
