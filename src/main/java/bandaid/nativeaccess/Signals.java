package bandaid.nativeaccess;

import bandaid.bindings.Linux;
import java.util.List;

/** Signal numbers by name (x86-64, from the bindings) and the kernel's sigset_t. */
public final class Signals {
    /** The kernel's sigset_t is 64 bits (rt_sigprocmask(2) wants its size; glibc's is 128 bytes). */
    static final long KERNEL_SIGSET_BYTES = 8;

    private Signals() {
    }

    /** The number of a signal named without its SIG prefix: {@code TERM} -> 15. */
    public static int number(String name) {
        return switch (name) {
            case "HUP" -> Linux.SIGHUP();
            case "INT" -> Linux.SIGINT();
            case "QUIT" -> Linux.SIGQUIT();
            case "TERM" -> Linux.SIGTERM();
            case "USR1" -> Linux.SIGUSR1();
            case "USR2" -> Linux.SIGUSR2();
            case "WINCH" -> Linux.SIGWINCH();
            case "KILL" -> Linux.SIGKILL();
            case "PIPE" -> Linux.SIGPIPE();
            case "ALRM" -> Linux.SIGALRM();
            default -> throw new IllegalArgumentException("unknown signal " + name);
        };
    }

    /** The kernel sigset_t with these signals: bit N-1 for signal N. */
    static long mask(int... signals) {
        long mask = 0;
        for (int s : signals) {
            mask |= 1L << (s - 1);
        }
        return mask;
    }

    static int[] numbers(List<String> names) {
        return names.stream().mapToInt(Signals::number).toArray();
    }
}
