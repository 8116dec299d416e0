package bandaid.socket;

/**
 * What became of a {@link Reply}, as the native layer reports it: one value, never an exception,
 * since a failure while answering one call is that call's alone.
 */
public sealed interface Outcome {

    /** Given as asked. {@code result} is the fd number a socket() caller got, else the call's result. */
    record Given(long result) implements Outcome {
    }

    /** The caller no longer waits in this call (killed, or interrupted by a signal): nothing was given. */
    record CallerGone() implements Outcome {
    }

    /**
     * The reply could not be given ({@code errno} says why), and {@code instead} was, the answer
     * the kernel itself would have given: EMFILE for a socket() whose caller's fd table is full,
     * the call run as made when a passed socket cannot replace the caller's fd.
     */
    record Instead(Reply instead, int errno) implements Outcome {
    }

    /**
     * bind(): the caller's fd no longer held the socket bandaid looked at when the passed socket
     * was to replace it (another thread of the program closed it, or put another file on it,
     * meanwhile), so nothing was replaced: the call ran as the program made it, on what the fd
     * holds now, as it would without bandaid.
     */
    record FdChanged(int fd) implements Outcome {
    }

    /** No answer could be given at all ({@code errno} of the last attempt): a broken listener. */
    record Unanswered(int errno) implements Outcome {
    }

    /** Whether the reply reached the caller as asked. */
    default boolean given() {
        return this instanceof Given;
    }
}
