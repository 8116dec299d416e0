package bandaid.supervisor;

import bandaid.activation.ListenAddress;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the {@link CallHandler} needs from the kernel to answer one trapped call. The real one is
 * {@link KernelChannel}; tests of the decision logic use a fake.
 */
public interface CallerChannel {

    /** The struct sockaddr at {@code address} in the caller's memory; empty when unreadable. */
    Optional<ListenAddress> readSockaddr(int pid, long address, long length);

    /** The close-on-exec and non-blocking flags of the caller's fd, or empty if it is gone. */
    Optional<FdFlags> fdFlags(int pid, int fd);

    /** SECCOMP_IOCTL_NOTIF_ID_VALID: the caller still waits in this call. */
    boolean isWaiting(long id);

    boolean continueCall(long id);

    boolean returnValue(long id, long value);

    /** ADDFD with SECCOMP_ADDFD_FLAG_SEND; empty when the caller went away. */
    OptionalInt injectAsResult(long id, int passedFd, boolean closeOnExec);

    /** ADDFD with SECCOMP_ADDFD_FLAG_SETFD; false when the caller went away. */
    boolean injectAt(long id, int passedFd, int targetFd, boolean closeOnExec);

    /** Sets O_NONBLOCK on a passed socket's file description (shared with the program). */
    void setNonBlocking(int passedFd, boolean nonBlocking);

    /** A caller's fd flags that bandaid carries over when it replaces the fd. */
    record FdFlags(boolean closeOnExec, boolean nonBlocking) {
    }
}
