package bandaid.activation;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.socket.Bytes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What the LISTEN_* variables say, read the way sd_listen_fds(3) reads them: LISTEN_FDS sockets
 * starting at fd 3 (SD_LISTEN_FDS_START), meant for the process named by LISTEN_PID, named by the
 * colon-separated LISTEN_FDNAMES ("unknown" each when it is unset).
 *
 * <p>Where sd_listen_fds(3) quietly returns 0 for a LISTEN_PID that is not ours, bandaid stops:
 * a wrapper that was handed sockets meant for someone else is misconfigured, and running the
 * program without them would hide that.
 */
public record ListenEnvironment(int count, List<String> names, int closedFd, boolean set) {

    /** SD_LISTEN_FDS_START in sd-daemon.h. */
    public static final int FIRST_FD = 3;
    public static final List<String> VARIABLES = List.of("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");

    /** No fd was found closed before the JVM started (see {@link #closedFd}). */
    public static final int NO_CLOSED_FD = -1;

    public ListenEnvironment(int count, List<String> names) {
        this(count, names, NO_CLOSED_FD, true);
    }

    /**
     * @param closedFd the first of the claimed fds that scripts/bandaid found not open before it
     *                 started the JVM (BANDAID_CLOSED_FD), which may have opened a file of its
     *                 own at that number since; or {@link #NO_CLOSED_FD}
     * @param set      LISTEN_FDS was set at all (LISTEN_FDS=0 is set, and passes nothing)
     */
    public ListenEnvironment {
        names = List.copyOf(names);
        if (names.size() != count) {
            throw new IllegalArgumentException(count + " sockets but " + names.size() + " names");
        }
    }

    /** Not socket-activated: no LISTEN_FDS at all. */
    public static final ListenEnvironment NONE = new ListenEnvironment(0, List.of(), NO_CLOSED_FD, false);

    public boolean activated() {
        return count > 0;
    }

    /** How to say that nothing was passed: LISTEN_FDS unset, or set to 0. */
    public String nothingPassed() {
        return set ? "LISTEN_FDS=0: no sockets were passed" : "LISTEN_FDS is not set";
    }

    public int fd(int index) {
        return FIRST_FD + index;
    }

    public static ListenEnvironment parse(Map<String, String> env, long ourPid) throws BandaidException {
        String fds = env.get("LISTEN_FDS");
        if (fds == null) {
            return NONE;
        }
        int count = parseCount(fds);
        checkPid(env.get("LISTEN_PID"), ourPid);
        return new ListenEnvironment(count, parseNames(env.get("LISTEN_FDNAMES"), count), closedFd(env.get("BANDAID_CLOSED_FD")), true);
    }

    private static int closedFd(String fd) {
        try {
            return fd == null ? NO_CLOSED_FD : Integer.parseInt(fd);
        } catch (NumberFormatException e) {
            return NO_CLOSED_FD;
        }
    }

    /**
     * The most fds LISTEN_FDS may claim: the kernel's ceiling for a process's fd table
     * (fs.nr_open, 1048576 by default). A larger number cannot be true.
     */
    static final int MOST_FDS = 1 << 20;

    private static int parseCount(String fds) throws BandaidException {
        if (fds.isEmpty()) {
            throw new BandaidException(ExitCode.DATAERR,
                    "LISTEN_FDS is empty: it must be the number of passed sockets (sd_listen_fds(3))");
        }
        // Digits only, as systemd writes it: "+1", " 1" and "1e3" are not numbers it would write.
        if (!fds.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new BandaidException(ExitCode.DATAERR,
                    "LISTEN_FDS=" + printable(fds) + " is not a number: it must be the number of passed sockets (sd_listen_fds(3))");
        }
        if (fds.length() > 7 || Integer.parseInt(fds) > MOST_FDS) {
            throw new BandaidException(ExitCode.DATAERR,
                    "LISTEN_FDS=" + printable(fds) + " is more fds than a process can have (at most " + MOST_FDS + ")");
        }
        return Integer.parseInt(fds);
    }

    /** A value for a one-line message: control characters escaped (Bytes.oneLine), long values cut. */
    static String printable(String value) {
        boolean cut = value.codePointCount(0, value.length()) > 64;
        String head = cut ? value.substring(0, value.offsetByCodePoints(0, 64)) : value;
        return Bytes.oneLine(head) + (cut ? "..." : "");
    }

    private static void checkPid(String pid, long ourPid) throws BandaidException {
        if (pid == null || pid.isEmpty()) {
            throw new BandaidException(ExitCode.DATAERR,
                    "LISTEN_FDS is set but LISTEN_PID is not: whoever passed the sockets must set LISTEN_PID to bandaid's pid (sd_listen_fds(3))");
        }
        long parsed;
        try {
            if (!pid.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new NumberFormatException(pid);
            }
            parsed = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            throw new BandaidException(ExitCode.DATAERR, "LISTEN_PID=" + printable(pid) + " is not a pid");
        }
        if (parsed != ourPid) {
            throw new BandaidException(ExitCode.CONFIG,
                    "LISTEN_PID=" + printable(pid) + " is not bandaid's pid " + ourPid
                            + ": the sockets were meant for another process; run bandaid directly as ExecStart= (not under a shell that forks);"
                            + " in a container, bandaid must be PID 1 (ENTRYPOINT [\"bandaid\", \"--\", ...], exec'd, or under --init)");
        }
    }

    private static List<String> parseNames(String names, int count) throws BandaidException {
        if (names == null || count == 0 && names.isEmpty()) {
            return Collections.nCopies(count, "unknown");
        }
        // sd_listen_fds_with_names(3): colon-separated; an empty string is one empty name only
        // when one socket was passed.
        List<String> parsed = new ArrayList<>(List.of(names.split(":", -1)));
        if (parsed.size() != count) {
            throw new BandaidException(ExitCode.DATAERR,
                    "LISTEN_FDNAMES=" + printable(names) + " has " + parsed.size() + " name(s) but LISTEN_FDS=" + count);
        }
        return parsed;
    }
}
