package bandaid.matching;

import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import java.util.Optional;

/**
 * Decides which passed socket, if any, a trapped call should get. Pure logic: no system calls,
 * so every rule is tested without a kernel. Called from several threads at once.
 */
public interface FdMatcher {

    /**
     * @return the passed socket to hand over, or empty to let the call run as the program made it
     */
    Optional<PassedSocket> match(SocketCall call);

    /**
     * The socket chosen by {@link #match} never reached the caller (it went away first): it may
     * be handed out again.
     */
    default void release(PassedSocket socket) {
    }

    /**
     * {@code socket} was handed out before this matcher was made (by the one it takes over from):
     * as if this one had chosen it.
     */
    default void handedOut(PassedSocket socket) {
    }

    /**
     * For a bind() that {@link #match} gives nothing: a passed socket for its address that only
     * the family rules keep from it ({@code Families}), so bandaid can say why and which unit line
     * would pass one. Empty when there is none, or the strategy has no such rules.
     */
    default Optional<PassedSocket> keptByFamily(SocketCall.Bind bind) {
        return Optional.empty();
    }

    /**
     * Whether a bind() to {@code address} may get a passed socket at all: only then does bandaid
     * look at the program's socket (a few more system calls, off the reader thread). Cheap, and
     * true when in doubt.
     */
    default boolean couldMatch(ListenAddress address) {
        return true;
    }

    /** Whether socket(2) must be trapped at all (it is, then, only for the passed families and types). */
    boolean needsSocketCalls();

    /** The name of the strategy, as {@code --match} takes it. */
    String name();
}
