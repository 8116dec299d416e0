package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What bandaid does on older kernels. Each feature an older kernel lacks is refused the way that
 * kernel refuses it, by a filter bandaid runs under (deny-syscalls.py, as NeededCallsBlockedIT
 * blocks calls); and the kernel the tests run on is asked as it is (scripts/kernels runs these on
 * Debian 11's 5.10 too, which has ADDFD but not SECCOMP_ADDFD_FLAG_SEND). Where a feature is only
 * an optimisation the program is served the same; where bandaid cannot serve without it, one line
 * and exit 69 before the program starts. Never a hang, and never a program started that bandaid
 * then cannot serve.
 */
class OlderKernelsIT {
    /** SECCOMP_IOCTL_NOTIF_ADDFD, _IOW('!', 3, struct seccomp_notif_addfd): a filter matches the request number. */
    private static final String ADDFD = "0x40182103";
    /** SECCOMP_IOCTL_NOTIF_SET_FLAGS, _IOW('!', 4, __u64) (Linux 6.6). */
    private static final String SET_FLAGS = "0x40082104";
    /** SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19): seccomp()'s flags are its argument 1. */
    private static final String WAIT_KILLABLE_RECV = "0x20";
    /** CLOSE_RANGE_CLOEXEC, close_range(2)'s third argument (Linux 5.11). */
    private static final String CLOSE_RANGE_CLOEXEC = "0x4";

    /** Before Linux 5.0, or without CONFIG_SECCOMP_FILTER. */
    private static final String NO_USER_NOTIFICATION = "bandaid: seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER):"
            + " EINVAL (Invalid argument): this kernel lacks seccomp user notification (bandaid needs Linux 5.14 or newer, CONFIG_SECCOMP_FILTER)";
    /** Linux 5.0 to 5.8: no SECCOMP_IOCTL_NOTIF_ADDFD. */
    private static final String NO_ADDFD = "bandaid: ioctl(SECCOMP_IOCTL_NOTIF_ADDFD): EINVAL (Invalid argument): this kernel's seccomp"
            + " user notification cannot hand a socket over (bandaid needs Linux 5.14 or newer)";
    /** --match=socket on Linux 5.9 to 5.13: no SECCOMP_ADDFD_FLAG_SEND. */
    private static final String NO_ADDFD_SEND = "bandaid: ioctl(SECCOMP_IOCTL_NOTIF_ADDFD, SECCOMP_ADDFD_FLAG_SEND): EINVAL (Invalid"
            + " argument): --match=socket needs Linux 5.14 or newer, which hands a socket over as socket()'s answer in one step; on this"
            + " kernel use --match=address (the default)";

    /** bandaid with OPTIONS under deny-syscalls.py RULES (none if empty), running marker-serve.py. */
    private static Programs.MarkerServe run(String rules, String options, Path marker) throws Exception {
        return Programs.markerServe(rules.isEmpty() ? "" : Bandaid.PYTHON + " " + Programs.DENY + " '" + rules + "' ", options, marker);
    }

    private static Programs.MarkerServe run(String rules, Path marker) throws Exception {
        return run(rules, "", marker);
    }

    private static void assertRefusedBeforeTheProgram(Programs.MarkerServe outcome, Path marker, String line) {
        assertFalse(outcome.served(), "served?\n" + outcome.stderr());
        assertFalse(Files.exists(marker), "the program ran before bandaid gave up:\n" + outcome.stderr());
        assertEquals(ExitStatus.UNAVAILABLE, outcome.exitCode(), outcome.stderr());
        assertEquals(List.of(line), outcome.stderr().lines().toList());
    }

    private static void assertServedQuietly(Programs.MarkerServe outcome) {
        assertTrue(outcome.served(), outcome.stderr());
        assertEquals(0, outcome.exitCode(), outcome.stderr());
        assertEquals("", outcome.stderr());
    }

    /** This kernel's version, major * 1000 + minor: 5010 for 5.10. */
    private static int thisKernel() {
        Matcher version = Pattern.compile("^(\\d+)\\.(\\d+)").matcher(System.getProperty("os.version"));
        assertTrue(version.find(), System.getProperty("os.version"));
        return Integer.parseInt(version.group(1)) * 1000 + Integer.parseInt(version.group(2));
    }

    /** What this kernel must do, with no filter in the way: serve, or refuse in the one line its version calls for. */
    private static void assertThisKernel(String options, int serves, Path dir) throws Exception {
        Path marker = dir.resolve("ran");
        Programs.MarkerServe outcome = run("", options, marker);
        int kernel = thisKernel();
        if (kernel >= serves) {
            assertServedQuietly(outcome);
        } else {
            assertRefusedBeforeTheProgram(outcome, marker, kernel < 5000 ? NO_USER_NOTIFICATION : kernel < 5009 ? NO_ADDFD : NO_ADDFD_SEND);
        }
    }

    @Test
    void thisKernelServesTheDefaultMatchingFrom59On(@TempDir Path dir) throws Exception {
        // A bind() is answered in two steps (ADDFD with SETFD, then the answer): Linux 5.9.
        assertThisKernel("", 5009, dir);
    }

    @Test
    void thisKernelServesSocketMatchingFrom514On(@TempDir Path dir) throws Exception {
        // A socket() is answered with the passed socket in one step (SECCOMP_ADDFD_FLAG_SEND): 5.14.
        assertThisKernel("--match=socket", 5014, dir);
    }

    @Test
    void withoutUserNotificationItSaysSoBeforeTheProgramStarts(@TempDir Path dir) throws Exception {
        // Before Linux 5.0 (or without CONFIG_SECCOMP_FILTER) seccomp() refuses the listener flag.
        Path marker = dir.resolve("ran");
        assertRefusedBeforeTheProgram(run("seccomp:EINVAL", marker), marker, NO_USER_NOTIFICATION);
    }

    @Test
    void withoutAddFdItSaysSoBeforeTheProgramStarts(@TempDir Path dir) throws Exception {
        // Linux 5.0 to 5.8: the filter installs, but SECCOMP_IOCTL_NOTIF_ADDFD is answered with
        // EINVAL; with --match=socket too (it needs ADDFD first).
        Path marker = dir.resolve("ran");
        assertRefusedBeforeTheProgram(run("ioctl/1=" + ADDFD + ":EINVAL", marker), marker, NO_ADDFD);
        assertRefusedBeforeTheProgram(run("ioctl/1=" + ADDFD + ":EINVAL", "--match=socket", marker), marker, NO_ADDFD);
    }

    @Test
    void withoutKillableWaitsTheProgramIsServedTheSame(@TempDir Path dir) throws Exception {
        // Linux 5.9 to 5.18 refuse SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV with EINVAL: bandaid
        // installs its filter without it.
        assertServedQuietly(run("seccomp/1&" + WAIT_KILLABLE_RECV + ":EINVAL", dir.resolve("ran")));
    }

    @Test
    void withoutCloseRangeCloexecTheProgramIsServedTheSame(@TempDir Path dir) throws Exception {
        // Linux 5.9 and 5.10 (Debian 11) have close_range(2) but not CLOSE_RANGE_CLOEXEC (5.11,
        // EINVAL): in broker mode, where bandaid becomes the program, it failed to start it.
        assertServedQuietly(run("close_range/2&" + CLOSE_RANGE_CLOEXEC + ":EINVAL", dir.resolve("ran")));
    }

    @Test
    void withoutSynchronousWakeUpsTheProgramIsServedTheSame(@TempDir Path dir) throws Exception {
        // Before Linux 6.6 SECCOMP_IOCTL_NOTIF_SET_FLAGS is unknown (EINVAL): only speed is lost.
        assertServedQuietly(run("ioctl/1=" + SET_FLAGS + ":EINVAL", dir.resolve("ran")));
    }
}
