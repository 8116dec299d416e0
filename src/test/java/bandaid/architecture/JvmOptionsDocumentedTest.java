package bandaid.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every JVM option the launchers pass (scripts/lib/launch.sh, which scripts/bandaid and the .deb's
 * /usr/bin/bandaid both source) has its row, reason and measured effect in BENCHMARKS.md's table
 * "The JVM's options" (issue 17): a new option cannot go in unexplained, nor one go out while the
 * table still claims it.
 */
class JvmOptionsDocumentedTest {
    private static final Path LAUNCH = Path.of("scripts/lib/launch.sh");
    private static final Path BENCHMARKS = Path.of("BENCHMARKS.md");
    /** The words of a `bandaid_flags=(...)` or `bandaid_flags+=(...)` assignment, possibly over two lines. */
    private static final Pattern FLAGS = Pattern.compile("bandaid_flags\\+?=\\(([^)]*)\\)");

    @Test
    void everyOptionPassedHasItsRowAndEveryRowIsPassed() throws IOException {
        List<String> passed = new ArrayList<>();
        Matcher m = FLAGS.matcher(Files.readString(LAUNCH));
        while (m.find()) {
            for (String word : m.group(1).trim().split("\\s+")) {
                passed.add(word);
            }
        }
        assertTrue(passed.contains("-Xrs") && passed.contains("-XX:UserThreadWaitAttemptsAtExit=0"), "read from launch.sh: " + passed);

        String benchmarks = Files.readString(BENCHMARKS);
        int from = benchmarks.indexOf("\n## The JVM's options");
        int to = benchmarks.indexOf("\nMeasured and not passed:", from);
        assertTrue(from >= 0 && to > from, "BENCHMARKS.md has no table \"The JVM's options\" followed by \"Measured and not passed:\"");
        List<String> documented = new ArrayList<>();
        for (String row : benchmarks.substring(from, to).lines().filter(l -> l.startsWith("| `")).toList()) {
            String cell = row.substring(2, row.indexOf(" |", 2));
            for (String code : cell.split("`")) {
                if (code.startsWith("-")) {
                    for (String word : code.trim().split("\\s+")) {
                        documented.add(word);
                    }
                }
            }
        }
        for (String option : passed) {
            assertTrue(documented.contains(option), option + " is passed (launch.sh) but has no row in BENCHMARKS.md's \"The JVM's options\": " + documented);
        }
        // The launchers' own options (an AOT cache or CDS archive, chosen per launcher) are rows too.
        List<String> ofTheLaunchers = List.of("-XX:AOTCache=FILE", "-Xlog:aot*=off,cds*=off", "-XX:SharedArchiveFile=bandaid.jsa");
        for (String option : documented) {
            assertTrue(passed.contains(option) || ofTheLaunchers.contains(option),
                    option + " has a row in BENCHMARKS.md's \"The JVM's options\" but launch.sh does not pass it");
        }
    }
}
