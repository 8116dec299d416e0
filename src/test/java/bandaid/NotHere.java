package bandaid;

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

    /** Says the line (once for what many tests cannot run: a class's) and returns it, for JUnit's reason. */
    public static String say(String what, String why) {
        String line = "bandaid test: not run here: " + what + ": " + why;
        System.err.println(line);
        return line;
    }
}
