package bandaid.nativeaccess;

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
            case "HUP" -> Abi.SIGHUP;
            case "INT" -> Abi.SIGINT;
            case "QUIT" -> Abi.SIGQUIT;
            case "TERM" -> Abi.SIGTERM;
            case "USR1" -> Abi.SIGUSR1;
            case "USR2" -> Abi.SIGUSR2;
            case "WINCH" -> Abi.SIGWINCH;
            case "KILL" -> Abi.SIGKILL;
            case "PIPE" -> Abi.SIGPIPE;
            case "ALRM" -> Abi.SIGALRM;
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
