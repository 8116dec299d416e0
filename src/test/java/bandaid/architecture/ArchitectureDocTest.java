package bandaid.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * ARCHITECTURE.md is the code's picture: it names every hand-written source file, and the
 * repository cites no notes file it does not have.
 */
class ArchitectureDocTest {
    private static final Path SOURCES = Path.of("src/main/java/bandaid");

    @Test
    void everySourceFileIsNamed() throws IOException {
        String page = Files.readString(Path.of("ARCHITECTURE.md"));
        List<String> unnamed;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            unnamed = files.filter(f -> f.toString().endsWith(".java") && !f.startsWith(SOURCES.resolve("bindings")))
                    .map(f -> f.getFileName().toString().replace(".java", ""))
                    .filter(name -> !Pattern.compile("\\b" + name + "\\b").matcher(page).find())
                    .sorted().toList();
        }
        assertEquals(List.of(), unnamed, "source files ARCHITECTURE.md does not name");
    }

    @Test
    void nothingCitesNotesTheRepositoryDoesNotHave() throws IOException {
        try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src")), Files.walk(Path.of("scripts")))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String text = Files.readString(file, java.nio.charset.StandardCharsets.ISO_8859_1);
                assertTrue(!text.contains("KERNEL" + "-NOTES"), file + " cites a notes file the repository does not have");
            }
        }
    }
}
