package bandaid.supervisor;

import bandaid.activation.ListenAddress;
import bandaid.matching.SocketKind;
import bandaid.nativeaccess.CallerMemory;
import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.Descriptors;
import bandaid.nativeaccess.NotificationListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;

/** The real {@link CallerChannel}: the seccomp listener, process_vm_readv and /proc. */
final class KernelChannel implements CallerChannel {
    /** O_CLOEXEC and O_NONBLOCK as /proc/PID/fdinfo prints them (octal, x86-64 values). */
    static final int O_CLOEXEC = 02000000;
    static final int O_NONBLOCK = 04000;

    private final NotificationListener listener;

    KernelChannel(NotificationListener listener) {
        this.listener = listener;
    }

    @Override
    public Optional<ListenAddress> readSockaddr(int pid, long address, long length) {
        return CallerMemory.readSockaddr(pid, address, length);
    }

    /**
     * The flags line of /proc/PID/fdinfo/FD (proc(5)) is the only place that tells the
     * close-on-exec flag of another process's fd. Read only when a passed socket is about to
     * replace that fd (once per listening socket), never for calls that continue.
     */
    @Override
    public Optional<FdFlags> fdFlags(int pid, int fd) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "fdinfo", Integer.toString(fd)))) {
                if (line.startsWith("flags:")) {
                    int flags = Integer.parseInt(line.substring("flags:".length()).strip(), 8);
                    return Optional.of(new FdFlags((flags & O_CLOEXEC) != 0, (flags & O_NONBLOCK) != 0));
                }
            }
            return Optional.empty();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read /proc/" + pid + "/fdinfo/" + fd + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<SocketKind> callerSocket(int pid, int fd) {
        return CallerSockets.describe(pid, fd).map(k -> new SocketKind(k.family(), k.type(), k.v6Only()));
    }

    @Override
    public Optional<String> readPath(int pid, long address) {
        return CallerMemory.readPath(pid, address);
    }

    /** AT_FDCWD (fcntl.h): unlinkat(2)'s "relative to the working directory". */
    static final int AT_FDCWD = -100;

    @Override
    public Optional<String> absolutePath(int pid, int dirfd, String path) {
        if (path.startsWith("/")) {
            return Optional.of(path);
        }
        Path base = Path.of("/proc", Integer.toString(pid), dirfd == AT_FDCWD ? "cwd" : "fd/" + dirfd);
        try {
            return Optional.of(Files.readSymbolicLink(base).resolve(path).normalize().toString());
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    @Override
    public boolean fail(long id, int errno) {
        return listener.fail(id, errno);
    }

    @Override
    public boolean isWaiting(long id) {
        return listener.isWaiting(id);
    }

    @Override
    public boolean continueCall(long id) {
        return listener.continueCall(id);
    }

    @Override
    public boolean returnValue(long id, long value) {
        return listener.returnValue(id, value);
    }

    @Override
    public OptionalInt injectAsResult(long id, int passedFd, boolean closeOnExec) {
        return listener.injectAsResult(id, passedFd, closeOnExec);
    }

    @Override
    public boolean injectAt(long id, int passedFd, int targetFd, boolean closeOnExec) {
        return listener.injectAt(id, passedFd, targetFd, closeOnExec);
    }

    @Override
    public void setNonBlocking(int passedFd, boolean nonBlocking) {
        Descriptors.setNonBlocking(passedFd, nonBlocking);
    }
}
