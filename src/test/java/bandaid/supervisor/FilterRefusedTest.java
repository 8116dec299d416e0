package bandaid.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.nativeaccess.Errno;
import bandaid.nativeaccess.SyscallException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Each way the kernel refuses the filter has its own exit code and advice. EPERM and EBUSY are
 * also provoked for real (BadInputIT); a kernel without user notification is not at hand, so its
 * errnos are checked here.
 */
class FilterRefusedTest {
    private static BandaidException refused(int errno) {
        return ProgramLauncher.filterRefused(new SyscallException("seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER)", errno));
    }

    @Test
    void eachErrnoHasItsCodeAndAdvice() {
        assertEquals(ExitCode.SECCOMP_UNSUPPORTED, refused(Errno.EINVAL).exitCode());
        assertTrue(refused(Errno.EINVAL).getMessage().endsWith("this kernel lacks seccomp user notification (bandaid needs Linux 5.14 or newer, CONFIG_SECCOMP_FILTER)"));
        assertEquals(ExitCode.SECCOMP_UNSUPPORTED, refused(Errno.ENOSYS).exitCode());
        assertEquals(ExitCode.SECCOMP_FORBIDDEN, refused(Errno.EACCES).exitCode());
        assertEquals(ExitCode.SECCOMP_FORBIDDEN, refused(Errno.EPERM).exitCode());
        assertEquals(ExitCode.SECCOMP_BUSY, refused(Errno.EBUSY).exitCode());
    }

    @Test
    void execFailuresAsTheJdkReportsThem() {
        assertEquals(ExitCode.NOT_FOUND, ProgramLauncher.startFailure("x", new IOException("Cannot run program \"x\": error=2, No such file or directory")).exitCode());
        assertEquals(ExitCode.NOT_EXECUTABLE, ProgramLauncher.startFailure("x", new IOException("Cannot run program \"x\": Exec failed, error: 13 (Permission denied)")).exitCode());
        assertEquals(ExitCode.START_FAILED, ProgramLauncher.startFailure("x", new IOException("something else")).exitCode());
    }
}
