package bandaid.nativeaccess;

import bandaid.activation.Family;
import bandaid.activation.SocketType;
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
 */
public record TrapPlan(Map<Family, Set<SocketType>> socketCalls, boolean bind) {
    public TrapPlan {
        socketCalls = Map.copyOf(socketCalls);
    }

    public boolean trapsNothing() {
        return socketCalls.isEmpty() && !bind;
    }
}
