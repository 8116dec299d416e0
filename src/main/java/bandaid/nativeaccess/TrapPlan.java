package bandaid.nativeaccess;

import bandaid.socket.Family;
import bandaid.socket.SocketType;
import java.util.Map;
import java.util.Set;

/**
 * Which calls the seccomp filter hands to bandaid; everything else the kernel allows without
 * bandaid ever seeing it.
 *
 * @param socketCalls socket(2) is trapped only for these families and, per family, these types
 *                    (BPF compares socket()'s integer arguments); empty: socket() is never trapped
 * @param bind        whether bind(2) is trapped (its address is in memory, out of BPF's reach,
 *                    so every bind is trapped and read)
 * @param unlink      whether unlink(2) and unlinkat(2) are trapped, to keep passed unix
 *                    sockets' paths (only when such a socket was passed)
 */
public record TrapPlan(Map<Family, Set<SocketType>> socketCalls, boolean bind, boolean unlink) {
    public TrapPlan {
        socketCalls = Map.copyOf(socketCalls);
    }

    public boolean trapsNothing() {
        return socketCalls.isEmpty() && !bind && !unlink;
    }
}
