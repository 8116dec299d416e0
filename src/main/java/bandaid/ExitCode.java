package bandaid;

/**
 * bandaid's own exit codes, one per thing that can go wrong before or around the program (README
 * lists them). They sit in 64..79, away from the shell's 126/127/128+N and from systemd's own
 * 200..243 (systemd.exec(5), "Process Exit Codes"), so a unit's ExecMainStatus tells them apart.
 * When the program runs, bandaid exits with the program's status instead.
 */
public enum ExitCode {
    USAGE(64, "unknown, malformed or contradictory options"),
    NO_PROGRAM(65, "no program to run was given"),
    LISTEN_FDS_INVALID(66, "LISTEN_FDS is empty, not a number or negative"),
    LISTEN_PID_INVALID(67, "LISTEN_FDS is set but LISTEN_PID is missing or not a number"),
    LISTEN_PID_NOT_OURS(68, "LISTEN_PID names another process"),
    LISTEN_FDNAMES_MISMATCH(69, "LISTEN_FDNAMES has a different number of names than LISTEN_FDS"),
    PASSED_FD_CLOSED(70, "a passed fd is not open (LISTEN_FDS larger than what was passed)"),
    PASSED_FD_NOT_SOCKET(71, "a passed fd is not a socket"),
    PASSED_SOCKET_NOT_LISTENING(72, "a passed stream socket is a connection (Accept=yes), not a listener"),
    UNKNOWN_SOCKET_NAME(73, "--map names a socket that was not passed"),
    SECCOMP_UNSUPPORTED(74, "the kernel lacks seccomp user notification"),
    SECCOMP_FORBIDDEN(75, "seccomp(2) is blocked, e.g. by a unit's SystemCallFilter="),
    SECCOMP_BUSY(76, "already under another seccomp listener (nested bandaid?)"),
    SUPERVISOR_FAILED(77, "bandaid's notification reader failed; the program was killed"),
    START_FAILED(78, "the program could not be started for another reason"),
    /** Said by scripts/bandaid before any Java runs; listed here so the table is complete. */
    NO_JAVA(79, "no Java runtime >= 22 was found (or the jar is not built and Maven is missing)"),
    NOT_EXECUTABLE(126, "the program is not executable"),
    NOT_FOUND(127, "the program was not found");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    public String meaning() {
        return meaning;
    }
}
