package bandaid.nativeaccess;

import bandaid.activation.Family;
import bandaid.activation.SocketType;
import bandaid.bindings.Linux;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks at a socket in a trapped caller: pidfd_getfd(2) (5.6) gives bandaid a duplicate of the
 * caller's fd to ask getsockopt(2) about, and it is closed again at once. Needs the same ptrace
 * access as reading the caller's memory.
 */
public final class CallerSockets {
    private CallerSockets() {
    }

    /** A caller's socket: its family, type and IPV6_V6ONLY. */
    public record Kind(Family family, SocketType type, boolean v6Only) {
    }

    /** @return empty when the fd is not a socket, or the caller or its fd is gone, or access is denied */
    public static Optional<Kind> describe(int tid, int fd) {
        Optional<Integer> pidfd = pidfdOfThread(tid);
        if (pidfd.isEmpty()) {
            return Optional.empty();
        }
        try (Libc.CallState state = new Libc.CallState()) {
            long dup = (long) Libc.SYSCALL3.invokeExact(state.errno, (long) Linux.__NR_pidfd_getfd(), (long) pidfd.get(), (long) fd, 0L);
            if (dup < 0) {
                return Optional.empty();
            }
            try {
                int familyNumber = Sockets.intOption(state, (int) dup, Linux.SO_DOMAIN(), "SO_DOMAIN");
                int type = Sockets.intOption(state, (int) dup, Linux.SO_TYPE(), "SO_TYPE");
                return Optional.of(new Kind(Family.of(familyNumber), SocketType.of(type), Sockets.v6Only(state, (int) dup, familyNumber)));
            } catch (SyscallException notASocket) {
                return Optional.empty();
            } finally {
                Descriptors.close((int) dup, "duplicate of the caller's fd " + fd);
            }
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        } finally {
            Descriptors.close(pidfd.get(), "pidfd of " + tid);
        }
    }

    /**
     * pidfd_open(2) takes a process (thread-group leader) before Linux 6.9; a notification names
     * the calling thread. Only when the thread is not the leader, its Tgid comes from
     * /proc/TID/status. The kernel says "not a leader" with EINVAL before Linux 6.15 and with
     * ENOENT since (kernel/fork.c, pidfd_prepare); ESRCH means the thread is gone.
     */
    private static Optional<Integer> pidfdOfThread(int tid) {
        try (Libc.CallState state = new Libc.CallState()) {
            long fd = (long) Libc.SYSCALL3.invokeExact(state.errno, (long) Linux.__NR_pidfd_open(), (long) tid, 0L, 0L);
            if (fd >= 0) {
                return Optional.of((int) fd);
            }
            if (state.errno() != Errno.EINVAL && state.errno() != Errno.ENOENT) {
                return Optional.empty();
            }
            Optional<Integer> tgid = threadGroup(tid);
            if (tgid.isEmpty()) {
                return Optional.empty();
            }
            fd = (long) Libc.SYSCALL3.invokeExact(state.errno, (long) Linux.__NR_pidfd_open(), (long) tgid.get(), 0L, 0L);
            return fd >= 0 ? Optional.of((int) fd) : Optional.empty();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    private static Optional<Integer> threadGroup(int tid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(tid), "status"))) {
                if (line.startsWith("Tgid:")) {
                    return Optional.of(Integer.parseInt(line.substring(5).strip()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the thread is gone
        }
        return Optional.empty();
    }
}
