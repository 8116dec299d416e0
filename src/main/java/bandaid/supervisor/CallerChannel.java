package bandaid.supervisor;

import bandaid.matching.SocketKind;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the {@link CallHandler} needs from the kernel to answer one trapped call. The real one is
 * {@link KernelChannel}; tests of the decision logic use a fake.
 */
public interface CallerChannel extends ContinueChannel {

    /** The program's socket on {@code fd} (family, type, IPV6_V6ONLY); empty when it is not one or cannot be seen. */
    Optional<SocketKind> callerSocket(int pid, int fd);

    /** The NUL-terminated path at {@code address} in the caller's memory; empty when unreadable. */
    Optional<String> readPath(int pid, long address);

    /**
     * {@code path} made absolute the way the kernel resolves it for the caller: against its
     * working directory, or against directory fd {@code dirfd} (AT_FDCWD for the working directory).
     */
    Optional<String> absolutePath(int pid, int dirfd, String path);

    /** Makes the call fail with {@code errno} without running it. */
    boolean fail(long id, int errno);

    /** The close-on-exec and non-blocking flags of the caller's fd, or empty if it is gone. */
    Optional<FdFlags> fdFlags(int pid, int fd);

    /** SECCOMP_IOCTL_NOTIF_ID_VALID: the caller still waits in this call. */
    boolean isWaiting(long id);

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
