package bandaid.socket;

import java.util.Optional;

/**
 * What the kernel is to make of one trapped call (seccomp_unotify(2), SECCOMP_IOCTL_NOTIF_SEND and
 * SECCOMP_IOCTL_NOTIF_ADDFD): the one form in which an answer goes down to the native layer, which
 * gives it in a single visit and reports what became of it as an {@link Outcome}.
 */
public sealed interface Reply {

    /** Run the call in the kernel as the program made it (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
    record Continue() implements Reply {
    }

    /** The call returns {@code value} without running. */
    record Return(long value) implements Reply {
    }

    /** The call fails with {@code errno} without running. */
    record Fail(int errno) implements Reply {
    }

    /**
     * Hand the caller a duplicate of bandaid's passed socket {@code socketFd}.
     *
     * @param over        bind(): the caller's fd the socket replaces, as dup2(2) would, but only
     *                    while it still holds the socket bandaid looked at; then the call returns
     *                    0. Empty for socket(): the new fd is the call's result
     * @param nonBlocking O_NONBLOCK to set on the socket's file description first (shared by every
     *                    holder); empty: leave it as it is
     */
    record Hand(int socketFd, Optional<CallerFd> over, boolean closeOnExec, Optional<Boolean> nonBlocking) implements Reply {
    }
}
