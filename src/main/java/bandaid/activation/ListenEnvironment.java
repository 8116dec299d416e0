package bandaid.activation;

import bandaid.BandaidException;
import bandaid.ExitCode;
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
public record ListenEnvironment(int count, List<String> names, int closedFd) {

    /** SD_LISTEN_FDS_START in sd-daemon.h. */
    public static final int FIRST_FD = 3;
    public static final List<String> VARIABLES = List.of("LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES");

    /** No fd was found closed before the JVM started (see {@link #closedFd}). */
    public static final int NO_CLOSED_FD = -1;

    public ListenEnvironment(int count, List<String> names) {
        this(count, names, NO_CLOSED_FD);
    }

    /**
     * @param closedFd the first of the claimed fds that scripts/bandaid found not open before it
     *                 started the JVM (BANDAID_CLOSED_FD), which may have opened a file of its
     *                 own at that number since; or {@link #NO_CLOSED_FD}
     */
    public ListenEnvironment {
        names = List.copyOf(names);
        if (names.size() != count) {
            throw new IllegalArgumentException(count + " sockets but " + names.size() + " names");
        }
    }

    /** Not socket-activated: no LISTEN_FDS at all. */
    public static final ListenEnvironment NONE = new ListenEnvironment(0, List.of());

    public boolean activated() {
        return count > 0;
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
        return new ListenEnvironment(count, parseNames(env.get("LISTEN_FDNAMES"), count), closedFd(env.get("BANDAID_CLOSED_FD")));
    }

    private static int closedFd(String fd) {
        try {
            return fd == null ? NO_CLOSED_FD : Integer.parseInt(fd);
        } catch (NumberFormatException e) {
            return NO_CLOSED_FD;
        }
    }

    private static int parseCount(String fds) throws BandaidException {
        if (fds.isEmpty()) {
            throw new BandaidException(ExitCode.LISTEN_FDS_INVALID,
                    "LISTEN_FDS is empty: it must be the number of passed sockets (sd_listen_fds(3))");
        }
        int count;
        try {
            count = Integer.parseInt(fds);
        } catch (NumberFormatException e) {
            throw new BandaidException(ExitCode.LISTEN_FDS_INVALID,
                    "LISTEN_FDS=" + fds + " is not a number: it must be the number of passed sockets (sd_listen_fds(3))");
        }
        if (count < 0) {
            throw new BandaidException(ExitCode.LISTEN_FDS_INVALID,
                    "LISTEN_FDS=" + fds + " is negative: it must be the number of passed sockets (sd_listen_fds(3))");
        }
        return count;
    }

    private static void checkPid(String pid, long ourPid) throws BandaidException {
        if (pid == null || pid.isEmpty()) {
            throw new BandaidException(ExitCode.LISTEN_PID_INVALID,
                    "LISTEN_FDS is set but LISTEN_PID is not: whoever passed the sockets must set LISTEN_PID to bandaid's pid (sd_listen_fds(3))");
        }
        long parsed;
        try {
            parsed = Long.parseLong(pid);
        } catch (NumberFormatException e) {
            throw new BandaidException(ExitCode.LISTEN_PID_INVALID, "LISTEN_PID=" + pid + " is not a pid");
        }
        if (parsed != ourPid) {
            throw new BandaidException(ExitCode.LISTEN_PID_NOT_OURS,
                    "LISTEN_PID=" + pid + " is not bandaid's pid " + ourPid
                            + ": the sockets were meant for another process; run bandaid directly as ExecStart= (not under a shell that forks)");
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
            throw new BandaidException(ExitCode.LISTEN_FDNAMES_MISMATCH,
                    "LISTEN_FDNAMES=" + names + " has " + parsed.size() + " name(s) but LISTEN_FDS=" + count);
        }
        return parsed;
    }
}
