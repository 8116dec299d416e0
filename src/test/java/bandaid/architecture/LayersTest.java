package bandaid.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * The packages form a one-way graph (ARCHITECTURE.md): each may use only the layers below it,
 * and only the native layer and the generated bindings touch java.lang.foreign. Read from the
 * sources, imports and fully qualified names alike, so a loop fails the build.
 */
class LayersTest {
    private static final Path SOURCES = Path.of("src/main/java/bandaid");
    /** Each package, and the packages of bandaid's it may use ("" is bandaid's own root: ExitCode, BandaidException). */
    private static final Map<String, Set<String>> ALLOWED = Map.of(
            "", Set.of(),
            "socket", Set.of(),
            "bindings", Set.of(),
            // The generated bindings are the ABI's source of truth for the tests (AbiNumbersTest);
            // the native layer keeps the numbers it needs in nativeaccess.Abi so that no start of
            // bandaid runs the bindings' costly static initializers.
            "nativeaccess", Set.of("socket"),
            "activation", Set.of("", "socket"),
            "matching", Set.of("", "socket"),
            "service", Set.of("", "socket", "activation", "matching", "nativeaccess"),
            "supervisor", Set.of("", "socket", "activation", "matching", "nativeaccess", "service"),
            "broker", Set.of("", "socket", "activation", "matching", "nativeaccess", "service"),
            // The commands ask the native layer about bandaid's own process (its pid, its stderr).
            "cli", Set.of("", "socket", "activation", "matching", "nativeaccess", "service", "supervisor", "broker"));
    private static final Set<String> MAY_USE_FFM = Set.of("nativeaccess", "bindings");
    /** A reference to a class of bandaid's: bandaid.Name or bandaid.pkg.Name, or a whole package (bandaid.pkg.*). */
    private static final Pattern REFERENCE = Pattern.compile("\\bbandaid\\.(?:([a-z]+)\\.)?(?:[A-Z]|\\*)");
    /**
     * The kernel's other doors, which only the native layer may open: /proc and /sys (files the
     * kernel makes up), and the JDK's ProcessHandle (which reads /proc and signals by pid).
     */
    private static final Pattern KERNEL_DOOR = Pattern.compile("\"/proc\\b|\"/sys\\b|\\bProcessHandle\\b");

    @Test
    void everyPackageUsesOnlyTheLayersBelowIt() throws IOException {
        Map<String, Set<String>> found = uses();
        assertEquals(ALLOWED.keySet(), found.keySet(), "the packages under " + SOURCES + " (a new one needs a place in ARCHITECTURE.md)");
        for (Map.Entry<String, Set<String>> e : found.entrySet()) {
            Set<String> extra = new TreeSet<>(e.getValue());
            extra.removeAll(ALLOWED.get(e.getKey()));
            extra.remove(e.getKey());
            assertEquals(Set.of(), extra, "bandaid." + e.getKey() + " uses packages above it or beside it");
        }
    }

    @Test
    void onlyTheNativeLayerTouchesForeignMemory() throws IOException {
        for (Path file : javaFiles()) {
            String pkg = packageOf(file);
            if (!MAY_USE_FFM.contains(pkg)) {
                assertTrue(!Files.readString(file).contains("java.lang.foreign"), file + " uses java.lang.foreign");
            }
        }
    }

    @Test
    void onlyTheNativeLayerOpensTheKernelsOtherDoors() throws IOException {
        for (Path file : javaFiles()) {
            if (!MAY_USE_FFM.contains(packageOf(file))) {
                Matcher door = KERNEL_DOOR.matcher(code(file));
                assertTrue(!door.find(), file + " uses " + (door.hitEnd() ? "" : door.group()) + ": the kernel is the native layer's");
            }
        }
    }

    @Test
    void theChecksSeeAReferenceInAnyForm() {
        Matcher m = REFERENCE.matcher("import bandaid.nativeaccess.Fds; x = bandaid.supervisor.Ending.f(); bandaid.ExitCode.USAGE;"
                + " import bandaid.service.*;");
        List<String> seen = m.results().map(r -> r.group(1) == null ? "" : r.group(1)).toList();
        assertEquals(List.of("nativeaccess", "supervisor", "", "service"), seen);
        assertEquals(List.of("\"/proc", "ProcessHandle", "\"/sys"), KERNEL_DOOR.matcher(
                "Path.of(\"/proc\", pid); ProcessHandle.current(); Files.read(Path.of(\"/sys/kernel\")); String procedure;")
                .results().map(r -> r.group()).toList());
        assertEquals("a(); \nb();\n", stripComments("a(); // \"/proc\"\n/* ProcessHandle\n */b();\n"));
    }

    /** A source file without its comments: what they mention is not what the code does. */
    private static String code(Path file) throws IOException {
        return stripComments(Files.readString(file));
    }

    private static String stripComments(String source) {
        return source.replaceAll("(?s)/\\*.*?\\*/", "").replaceAll("(?m)//.*$", "");
    }

    private static Map<String, Set<String>> uses() throws IOException {
        Map<String, Set<String>> uses = new TreeMap<>();
        for (Path file : javaFiles()) {
            Set<String> used = uses.computeIfAbsent(packageOf(file), p -> new TreeSet<>());
            Matcher m = REFERENCE.matcher(Files.readString(file).replaceAll("(?m)^package .*$", ""));
            while (m.find()) {
                used.add(m.group(1) == null ? "" : m.group(1));
            }
        }
        return uses;
    }

    private static List<Path> javaFiles() throws IOException {
        try (Stream<Path> files = Files.walk(SOURCES)) {
            return files.filter(f -> f.toString().endsWith(".java")).toList();
        }
    }

    private static String packageOf(Path file) {
        Path relative = SOURCES.relativize(file.getParent());
        return relative.toString().replace('/', '.');
    }
}
