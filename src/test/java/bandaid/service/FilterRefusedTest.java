package bandaid.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.nativeaccess.SyscallException;
import bandaid.socket.Errno;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each way the kernel refuses the filter has its own exit status and advice. EPERM and EBUSY are
 * also provoked for real (BadInputIT), and so are the answers of older kernels (OlderKernelsIT,
 * with a filter that refuses what they lack); the errnos of each are checked here.
 */
class FilterRefusedTest {
    private static BandaidException refused(int errno, Optional<Boolean> offered) {
        return ProgramLauncher.filterRefused(new SyscallException("seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER)", errno), offered);
    }

    @Test
    void eachErrnoHasItsCodeAndAdvice() {
        assertEquals(ExitCode.UNAVAILABLE, refused(Errno.EINVAL, Optional.of(false)).exitCode());
        assertTrue(refused(Errno.EINVAL, Optional.empty()).getMessage().endsWith(
                "this kernel lacks seccomp user notification (bandaid needs Linux 5.14 or newer, CONFIG_SECCOMP_FILTER)"));
        assertEquals(ExitCode.UNAVAILABLE, refused(Errno.ENOSYS, Optional.of(false)).exitCode());
        assertEquals(ExitCode.NOPERM, refused(Errno.EACCES, Optional.of(true)).exitCode());
        assertEquals(ExitCode.NOPERM, refused(Errno.EPERM, Optional.of(true)).exitCode());
        assertEquals(ExitCode.UNAVAILABLE, refused(Errno.EBUSY, Optional.of(true)).exitCode());
    }

    @Test
    void aKernelThatCannotHandASocketOverIsTooOld() {
        // Linux 5.0 to 5.8: the filter installs, but SECCOMP_IOCTL_NOTIF_ADDFD is unknown; 5.9 to
        // 5.13 lack SECCOMP_ADDFD_FLAG_SEND, which only --match=socket needs (OlderKernelsIT
        // provokes the first, and meets the second on Debian 11's 5.10 under scripts/kernels).
        BandaidException e = ProgramLauncher.kernelTooOld();
        assertEquals(ExitCode.UNAVAILABLE, e.exitCode());
        assertEquals("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD): EINVAL (Invalid argument): this kernel's seccomp user notification cannot"
                + " hand a socket over (bandaid needs Linux 5.14 or newer)", e.getMessage());
        e = ProgramLauncher.kernelTooOldForSocketMatching();
        assertEquals(ExitCode.UNAVAILABLE, e.exitCode());
        assertEquals("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD, SECCOMP_ADDFD_FLAG_SEND): EINVAL (Invalid argument): --match=socket needs"
                + " Linux 5.14 or newer, which hands a socket over as socket()'s answer in one step; on this kernel use --match=address"
                + " (the default)", e.getMessage());
    }

    @Test
    void enosysFromAKernelThatOffersUserNotificationIsAFilterNotAnOldKernel() {
        BandaidException e = refused(Errno.ENOSYS, Optional.of(true));
        assertEquals(ExitCode.NOPERM, e.exitCode());
        assertTrue(e.getMessage().contains("blocked by a filter"), e.getMessage());
    }

    @Test
    void execFailuresAsTheShellReportsThem() {
        assertEquals(ExitCode.NOT_FOUND, ProgramLauncher.startFailure("x", new SyscallException("posix_spawnp", Errno.ENOENT)).exitCode());
        assertEquals(ExitCode.NOT_EXECUTABLE, ProgramLauncher.startFailure("x", new SyscallException("posix_spawnp", Errno.EACCES)).exitCode());
        assertEquals(ExitCode.NOT_EXECUTABLE, ProgramLauncher.startFailure("x", new SyscallException("posix_spawnp", Errno.ENOEXEC)).exitCode());
        assertEquals(ExitCode.OSERR, ProgramLauncher.startFailure("x", new SyscallException("posix_spawnp", Errno.E2BIG)).exitCode());
    }
}
