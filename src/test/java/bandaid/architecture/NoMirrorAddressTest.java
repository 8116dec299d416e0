package bandaid.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No package mirror or registry address is written into the repository: the machine that builds
 * or tests bandaid says where its packages come from (its apt sources, its Maven settings), and
 * a script that needs one and finds none says how to give it (scripts/systemd-rootfs). Every text
 * file is read, scripts and tests included.
 */
class NoMirrorAddressTest {
    private static final Path ROOT = Path.of("");
    /**
     * A URL with the shape of a package archive or registry: a host named like one (deb., ftp.,
     * archive., mirror., registry., repo., packages., pypi., proxy.) or a path into a Debian,
     * Ubuntu or Maven archive. (No real one is named here, so that this file does not break the
     * rule it holds.)
     */
    static final Pattern MIRROR = Pattern.compile("(?i)https?://(?:(?:deb|ftp|archive|security|ports|mirrors?|registry|repo1?|packages|pypi|proxy)"
            + "\\.[^\\s/\"'<>]*|[^\\s/\"'<>]+/(?:debian|debian-security|ubuntu|maven2)(?=[/\\s\"'<>]|$))");

    /** The names RFC 2606 keeps for examples, which this test's own samples use. */
    private static final Pattern EXAMPLE = Pattern.compile("(?i)^https?://[^/]*(\\bexample(\\.(com|net|org))?|\\.test|\\.invalid)(/|$)");

    @Test
    void noFileNamesAMirrorOrRegistry() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(ROOT)) {
            files = walk.filter(Files::isRegularFile).filter(f -> !f.startsWith(".git") && !f.startsWith("target")).toList();
        }
        for (Path file : files) {
            String text;
            try {
                text = Files.readString(file);
            } catch (MalformedInputException binary) {
                continue;
            }
            Matcher m = MIRROR.matcher(text);
            while (m.find()) {
                if (!EXAMPLE.matcher(m.group()).find()) {
                    found.add(file + ": " + m.group());
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void theCheckKnowsAMirrorWhenItSeesOne() {
        for (String line : List.of("echo http://deb.example.org/debian", "URIs: http://ftp.xx.example.net/debian", "https://registry.example.com/v2/",
                "https://repo.example.org/maven2", "deb http://cache.example/ubuntu noble main", "mirror=https://mirrors.example.org")) {
            Matcher m = MIRROR.matcher(line);
            assertEquals(true, m.find(), line);
            assertEquals(true, EXAMPLE.matcher(m.group()).find(), "an example, not a mirror: " + line);
        }
        for (String line : List.of("https://adoptium.net/installation/linux/", "http://127.0.0.1:8080/", "https://www.debian.org/doc/",
                "http://maven.apache.org/POM/4.0.0", "https://github.com/openjdk/jextract")) {
            assertEquals(false, MIRROR.matcher(line).find(), line);
        }
    }
}
