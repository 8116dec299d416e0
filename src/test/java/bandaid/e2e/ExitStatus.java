package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

/**
 * bandaid's own exit statuses (README, "Exit codes"), named as systemd names them
 * (sysexits.h, systemd.exec(5) "Process exit codes"): written once here, so that a renumbering
 * changes one file.
 */
final class ExitStatus {
    /** Bad options, or no program given. */
    static final int USAGE = 64;
    /** A malformed LISTEN_* value. */
    static final int DATAERR = 65;
    /** bandaid's own failure; the program was killed. */
    static final int SOFTWARE = 70;
    /** The program could not be started. */
    static final int OSERR = 71;
    /** The kernel lacks a feature, already under another listener, no Java. */
    static final int UNAVAILABLE = 69;
    /** seccomp(2) or another call bandaid needs is blocked by a filter. */
    static final int NOPERM = 77;
    /** The unit passes the wrong thing: LISTEN_PID not ours, a passed fd not open / not a socket / a connection, --map names an unknown socket. */
    static final int CONFIG = 78;
    static final int NOT_EXECUTABLE = 126;
    static final int NOT_FOUND = 127;

    private ExitStatus() {
    }

    /**
     * Bad input: bandaid exits {@code code} and says so in exactly one line of its own, no stack
     * trace, nothing else on stderr.
     *
     * @return that line
     */
    static String assertOneLine(Bandaid.Run run, int code) {
        assertEquals(code, run.exitCode(), "exit status; stderr:\n" + run.stderr());
        assertNoStackTrace(run.stderr());
        List<String> lines = run.stderr().lines().toList();
        assertEquals(1, lines.size(), "exactly one line on stderr:\n" + run.stderr());
        assertTrue(lines.getFirst().startsWith("bandaid: "), run.stderr());
        return lines.getFirst();
    }

    /** Bad input where either of {@code codes} is right: one line, as {@link #assertOneLine}. */
    static String assertOneLineOf(Bandaid.Run run, java.util.Set<Integer> codes) {
        assertTrue(codes.contains(run.exitCode()), "exit status " + run.exitCode() + ", not one of " + codes + "; stderr:\n" + run.stderr());
        return assertOneLine(run, run.exitCode());
    }

    /** No Java exception, stack frame or "internal error" in what bandaid printed. */
    static void assertNoStackTrace(String stderr) {
        assertFalse(stderr.contains("Exception") || stderr.contains("Error:") && stderr.contains("java.")
                || stderr.lines().anyMatch(l -> l.strip().startsWith("at ")) || stderr.contains("internal error"),
                "a stack trace or an internal error:\n" + stderr);
    }
}
