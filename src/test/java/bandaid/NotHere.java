package bandaid;

import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.SyscallException;
import bandaid.socket.Errno;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test cannot run on this machine (a seccomp filter of the container it runs in, a chroot
 * where no container can be made, a tool not installed): said in one line on stderr, which Maven
 * shows beside the test, and as JUnit's reason for skipping it. Only for what the machine lacks,
 * found by asking the machine: a failure of bandaid's own is never a reason.
 */
public final class NotHere {
    private NotHere() {
    }

    /** Skips the rest of the test unless {@code available}. */
    public static void skipUnless(boolean available, String what, String why) {
        if (!available) {
            Assumptions.abort(say(what, why));
        }
    }

    /**
     * Skips the rest of a test where a seccomp filter it runs under refuses pidfd_getfd(2) with an
     * errno (systemd-nspawn's refuses it with EPERM), asked of the test's own fds as bandaid asks;
     * any other errno is no reason, and the test goes on to fail on it.
     */
    public static void skipUnlessDuplicates(String what) {
        Optional<SyscallException> refused = CallerSockets.duplicatesRefusedHere();
        boolean byFilter = refused.isPresent() && Set.of(Errno.EPERM, Errno.EACCES, Errno.ENOSYS).contains(refused.get().errno());
        skipUnless(!byFilter, what, refused.map(e -> e.getMessage()
                + ": refused by a seccomp filter this test runs under (a container's: systemd-nspawn refuses it)").orElse(""));
    }

    /** Says the line (once for what many tests cannot run: a class's) and returns it, for JUnit's reason. */
    public static String say(String what, String why) {
        String line = "bandaid test: not run here: " + what + ": " + why;
        System.err.println(line);
        return line;
    }
}
