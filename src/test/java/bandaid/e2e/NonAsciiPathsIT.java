package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Under a C/POSIX locale (or none, as in many units) a program that unlink()s and bind()s a
 * relative unix path with non-ASCII bytes ({@code é.sock}) gets the passed socket, and its
 * unlink leaves systemd's file alone. (issue 12, item 4)
 */
class NonAsciiPathsIT {
    /** é.sock in UTF-8, written as bash's $'...' so that no Java string carries a non-ASCII character. */
    private static final String NAME = "$'\\303\\251.sock'";
    /**
     * The same name as bind-report.py takes it (\\xNN for a byte): the program's arguments stay
     * ASCII, so this test fails for paths only, not for item 12's altered arguments.
     */
    private static final String ESCAPED = "\\xc3\\xa9.sock";

    @ParameterizedTest
    @ValueSource(strings = {"", "LANG=C", "LC_ALL=C", "LC_ALL=POSIX"})
    void aRelativeNonAsciiPathIsServedAndKept(String locale, @TempDir Path dir) throws Exception {
        String script = "cd " + dir + " && unset LANG LANGUAGE ${!LC_@}; " + (locale.isEmpty() ? "" : "export " + locale + "; ")
                + "exec " + Programs.PASS + " unix:" + NAME + " -- bash -c "
                + "'stat -L -c \"passed %i\" /proc/self/fd/3; stat -c \"file %i\" *; exec \"$BANDAID\" -- " + Bandaid.PYTHON + " "
                + Programs.program("bind-report.py") + " \"unix:" + ESCAPED.replace("\\", "\\\\") + "\"'";
        try (Programs.Interactive run = new Programs.Interactive(script)) {
            String passed = run.line().substring("passed ".length());
            // The socket file's own inode (the sockfs inode of fd 3 is another object).
            String file = run.line().substring("file ".length());
            String unlink = run.line();
            String bind = run.line();
            assertEquals("done", run.line(), run.stderr());
            assertEquals("unix:" + ESCAPED + " unlink 0", unlink, run.stderr());
            assertEquals("unix:" + ESCAPED + " ino " + passed, bind, run.stderr());
            run.send("");
            assertEquals(0, run.waitFor(), run.stderr());
            ExitStatus.assertNoStackTrace(run.stderr());
            // systemd's socket file is still there, the very one that was passed.
            List<Path> left;
            try (Stream<Path> files = Files.list(dir)) {
                left = files.toList();
            }
            assertEquals(1, left.size(), left.toString());
            assertEquals(Long.parseLong(file), ((Number) Files.getAttribute(left.getFirst(), "unix:ino")).longValue());
        }
    }
}
