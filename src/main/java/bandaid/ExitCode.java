package bandaid;

/**
 * bandaid's own exit statuses. They are the sysexits.h codes whose names systemd shows beside a
 * unit's status (`systemctl status`: "status=78/CONFIG"; systemd-analyze exit-status), chosen so
 * that the name fits: the one-line message on stderr says the exact cause. When the program ran,
 * bandaid exits with the program's status instead (README, man page "EXIT STATUS").
 */
public enum ExitCode {
    /** Unknown, malformed or contradictory options, or no program given. */
    USAGE(64, "unknown, malformed or contradictory options, or no program given"),
    /** The LISTEN_* variables are malformed. */
    DATAERR(65, "LISTEN_FDS, LISTEN_PID or LISTEN_FDNAMES is malformed"),
    /**
     * Something bandaid needs is missing: the kernel feature, a free seccomp listener slot, Java;
     * for bandaid unit a built launcher, unshare and ip, or a socket the program listened on.
     */
    UNAVAILABLE(69, "the kernel lacks seccomp user notification, bandaid is already under another listener, or no Java >= 22 was found;"
            + " or unit has no built launcher, or learned nothing"),
    /** bandaid itself failed while the program ran; the program was killed. */
    SOFTWARE(70, "bandaid's own failure (the seccomp listener broke); the program was killed so none of its calls hang"),
    /** The program could not be started for a reason other than 126/127. */
    OSERR(71, "the program could not be started"),
    /** bandaid unit cannot write its file: it exists (without --force), or the directory refuses it. */
    CANTCREAT(73, "bandaid unit cannot create a unit file: it exists (--force replaces it) or cannot be written"),
    /**
     * A system call bandaid needs is blocked by a seccomp filter it runs under (seccomp(2),
     * process_vm_readv(2)), or bandaid unit --learn lacks the privilege for a network namespace.
     */
    NOPERM(77, "a system call bandaid needs (seccomp, process_vm_readv) is blocked, e.g. by SystemCallFilter=;"
            + " or unit --learn is not root"),
    /** What was passed does not fit: LISTEN_PID of another process, an fd not open or not a listening socket, a --map name not passed. */
    CONFIG(78, "the unit passes the wrong thing: LISTEN_PID of another process, a passed fd not open, not a socket or a connection, or a --map name not passed"),
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

    /** What the status means, as --help and the man page say it. */
    public String meaning() {
        return meaning;
    }
}
