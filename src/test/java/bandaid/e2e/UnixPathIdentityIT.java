package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A unix socket is the file, not the string: a program that names the passed socket's file
 * another way (through a symlinked directory, as /var/run is to /run; with {@code //},
 * {@code /./} or {@code ..}) gets the passed socket, and its unlink() of that name leaves
 * systemd's file alone. Abstract names are bytes: {@code @name\xfe} and {@code @name\xff} are
 * two names. (issue 12, item 6)
 */
class UnixPathIdentityIT {

    /** Runs bind-report.py on SPECS under bandaid with SPEC passed; returns the passed socket's inode and the program's lines. */
    private static List<String> report(String passedSpec, List<String> specs) throws Exception {
        StringBuilder script = new StringBuilder("exec " + Programs.PASS + " " + passedSpec + " -- bash -c "
                + "'stat -L -c \"passed %i\" /proc/self/fd/3; " + fileCheck(passedSpec) + "exec \"$BANDAID\" -- " + Bandaid.PYTHON + " " + Programs.program("bind-report.py"));
        for (String spec : specs) {
            script.append(" \"").append(spec.replace("\\", "\\\\")).append('"');
        }
        script.append("'");
        return Programs.bindReport(script.toString());
    }

    /** For a passed path: the socket file's own inode before bandaid starts, a line "file INODE". */
    private static String fileCheck(String passedSpec) {
        String path = passedSpec.substring("unix:".length());
        return path.startsWith("/") ? "stat -c \"file %i\" " + path + "; " : "";
    }

    @Test
    void otherNamesOfThePassedFileGetThePassedSocketAndTheFileStays(@TempDir Path tmp) throws Exception {
        Path dir = tmp.toRealPath();
        Path real = Files.createDirectory(dir.resolve("run"));
        // /var/run -> /run, made here rather than relying on the machine's.
        Path link = Files.createSymbolicLink(dir.resolve("var-run"), real);
        Path socket = real.resolve("app.sock");
        List<String> names = List.of(
                link.resolve("app.sock").toString(),
                dir + "//run/app.sock",
                real + "/./app.sock",
                real + "/../run/app.sock");
        List<String> specs = names.stream().map(n -> "unix:" + n).toList();
        List<String> lines = report("unix:" + socket, specs);
        String passed = lines.getFirst().substring("passed ".length());
        String file = lines.get(1).substring("file ".length());
        List<String> expected = new ArrayList<>();
        for (String spec : specs) {
            expected.add(spec + " unlink 0");
            expected.add(spec + " ino " + passed);
        }
        assertEquals(String.join("\n", expected), String.join("\n", lines.subList(2, lines.size())));
        assertEquals(Long.parseLong(file), ((Number) Files.getAttribute(socket, "unix:ino", LinkOption.NOFOLLOW_LINKS)).longValue(),
                "systemd's socket file was removed or replaced");
    }

    @Test
    void abstractNamesAreComparedAsBytes() throws Exception {
        String name = "@bandaid-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        // Passed: NAME\xfe (bash's $'...' makes the byte); the program binds NAME\xff, then NAME\xfe.
        List<String> lines = report("unix:" + name + "$'\\xfe'", List.of("unix:" + name + "\\xff", "unix:" + name + "\\xfe"));
        String passed = lines.getFirst().substring("passed ".length());
        String other = lines.get(1);
        assertEquals("unix:" + name + "\\xff ino ", other.substring(0, other.lastIndexOf(' ') + 1), String.join("\n", lines));
        assertNotEquals(passed, other.substring(other.lastIndexOf(' ') + 1), "\\xff is another name than the passed \\xfe");
        assertEquals("unix:" + name + "\\xfe ino " + passed, lines.get(2));
    }
}
