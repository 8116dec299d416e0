package bandaid.service;

import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SyscallException;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Whether bandaid may take duplicates of the program's fds with pidfd_getfd(2), decided once before
 * the program starts (else it asks the socket's protocol name). A filter that refuses it with an
 * errno (podman's, nspawn's) is found by trying; one that kills cannot be tried (pidfd_getfd is in
 * systemd's {@code @debug}), so bandaid tries only under no filter PID 1 of its pid namespace lacks.
 *
 * @param byDuplicate pidfd_getfd may be used
 * @param why         why not (for the log), or that it may
 * @param allow       what would let bandaid use it where it may not: allowing it in a filter
 *                    that refuses it with an errno; nothing where a filter may kill for it
 */
public record FdAccess(boolean byDuplicate, String why, Optional<String> allow) {
    /** pidfd_getfd may be used. */
    public static final FdAccess DUPLICATES = new FdAccess(true, "pidfd_getfd(2) works here", Optional.empty());

    public static FdAccess here() {
        FdAccess access = decide();
        Log.debug(access.byDuplicate() ? "{}" : "{}: bandaid asks sockets' protocol names instead", access.why());
        return access;
    }

    private static FdAccess decide() {
        int own = Processes.ownSeccompFilters();
        if (own > 0) {
            OptionalInt init = Processes.seccompFilters(1);
            if (init.isEmpty() || init.getAsInt() < own) {
                return new FdAccess(false, "bandaid runs under a seccomp filter of its unit (SystemCallFilter=) that may kill it"
                        + " for pidfd_getfd(2)", Optional.empty());
            }
        }
        Optional<SyscallException> refused = CallerSockets.duplicatesRefusedHere();
        return refused.map(e -> new FdAccess(false, e.getMessage() + ": refused by a filter bandaid runs under",
                        Optional.of("allow pidfd_getfd in the seccomp filter that refuses it (a container's)")))
                .orElse(DUPLICATES);
    }
}
