package bandaid.nativeaccess;

import bandaid.socket.Family;
import bandaid.socket.SocketType;
import java.util.Map;
import java.util.Set;

/**
 * Which calls the seccomp filter hands to bandaid; everything else the kernel allows unseen.
 *
 * @param socketCalls socket(2) is trapped only for these families and types (BPF compares its
 *                    integer arguments); empty: never
 * @param bind        bind(2) is trapped (its address is in memory, out of BPF's reach: every bind)
 * @param unlink      unlink(2) and unlinkat(2) are trapped, to keep passed unix sockets' paths
 * @param listen      listen(2) is trapped, to tell which of the program's sockets listen
 * @param connect     which connect(2) calls are trapped
 * @param ioUring     whether io_uring_setup(2) is trapped (--strict): a bind through io_uring
 *                    (IORING_OP_BIND, Linux 6.11) never passes the filter
 */
public record TrapPlan(Map<Family, Set<SocketType>> socketCalls, boolean bind, boolean unlink, boolean listen, Connects connect,
                       boolean ioUring) {
    public TrapPlan {
        socketCalls = Map.copyOf(socketCalls);
    }

    /** A plan that traps nothing but what {@code bind} says (no socket(), listen() or connect()). */
    public static TrapPlan bindOnly(boolean bind) {
        return new TrapPlan(Map.of(), bind, false, false, Connects.none(), false);
    }

    public boolean trapsNothing() {
        return socketCalls.isEmpty() && !bind && !unlink && !listen && !connect.any() && !ioUring;
    }

    /**
     * connect(2)'s address is in memory, out of BPF's reach; its length is a register. A filter
     * cannot be changed once installed (seccomp(2)), so what it traps it traps for the whole run.
     *
     * @param trapped whether connect() is trapped at all
     * @param lengths the address lengths whose connect() is trapped; empty: every one
     */
    public record Connects(boolean trapped, Set<Integer> lengths) {
        public Connects {
            lengths = Set.copyOf(lengths);
        }

        public static Connects none() {
            return new Connects(false, Set.of());
        }

        public static Connects all() {
            return new Connects(true, Set.of());
        }

        /** Only connect() calls with one of these address lengths. */
        public static Connects ofLengths(Set<Integer> lengths) {
            return lengths.isEmpty() ? none() : new Connects(true, lengths);
        }

        boolean any() {
            return trapped;
        }
    }
}
