package bandaid.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No pattern switch in bandaid's compiled code (ARCHITECTURE.md, "No pattern switches"): javac
 * turns {@code switch (x) { case Foo f -> ... }} into an invokedynamic whose bootstrap,
 * {@code java.lang.runtime.SwitchBootstraps}, spins a hidden class the first time the switch runs,
 * about 5 ms each, which the AOT cache does not keep; five of them stood between the first bind
 * and its answer. A class that uses one names SwitchBootstraps in its constant pool. The generated
 * bindings are jextract's and are not on bandaid's path.
 */
class NoSpunSwitchesTest {
    private static final Path CLASSES = Path.of("target/classes/bandaid");
    private static final byte[] BOOTSTRAP = "java/lang/runtime/SwitchBootstraps".getBytes(StandardCharsets.UTF_8);

    @Test
    void noClassOfBandaidsUsesSwitchBootstraps() throws IOException {
        List<Path> classes;
        try (Stream<Path> files = Files.walk(CLASSES)) {
            classes = files.filter(f -> f.toString().endsWith(".class"))
                    .filter(f -> !f.startsWith(CLASSES.resolve("bindings"))).toList();
        }
        assertFalse(classes.isEmpty(), "no classes under " + CLASSES + ": compile first");
        List<String> using = classes.stream().filter(NoSpunSwitchesTest::usesSwitchBootstraps).map(Path::toString).toList();
        assertEquals(List.of(), using, "pattern switches (SwitchBootstraps): use instanceof on the sealed types instead");
    }

    private static boolean usesSwitchBootstraps(Path classFile) {
        try {
            byte[] bytes = Files.readAllBytes(classFile);
            outer:
            for (int i = 0; i + BOOTSTRAP.length <= bytes.length; i++) {
                for (int j = 0; j < BOOTSTRAP.length; j++) {
                    if (bytes[i + j] != BOOTSTRAP[j]) {
                        continue outer;
                    }
                }
                return true;
            }
            return false;
        } catch (IOException e) {
            throw new IllegalStateException(classFile.toString(), e);
        }
    }
}
