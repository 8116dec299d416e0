package bandaid.supervisor;

import bandaid.activation.ListenAddress;
import java.util.Optional;

/**
 * What continuing a bind() takes: reading its address and answering it. The notification reader
 * has its own, in memory it allocated once ({@link CallHandler#answerIfOnlyContinued}).
 */
public interface ContinueChannel {

    /** The struct sockaddr at {@code address} in the caller's memory; empty when unreadable. */
    Optional<ListenAddress> readSockaddr(int pid, long address, long length);

    /** Lets the call run in the kernel as the program made it; false when the caller went away. */
    boolean continueCall(long id);
}
