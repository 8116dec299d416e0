package bandaid.nativeaccess;

import bandaid.activation.Family;
import bandaid.activation.SocketType;
import bandaid.bindings.Linux;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Looks at a socket in a trapped caller: pidfd_getfd(2) (5.6) gives bandaid a duplicate of the
 * caller's fd to ask getsockopt(2) about, and it is closed again at once. Needs the same ptrace
 * access as reading the caller's memory.
 *
 * <p>Not when bandaid itself runs under someone else's seccomp filter, such as a unit's
 * SystemCallFilter=: pidfd_getfd is in systemd's @debug set, not in @system-service, so under
 * {@code SystemCallFilter=@system-service seccomp} (what bandaid tells users to write) it kills
 * bandaid with SIGSYS, and nothing tells beforehand what a filter lets through. Then bandaid
 * asks the socket's protocol name instead (getxattr(2) of system.sockprotoname, in
 * @file-system), which tells family and type but not IPV6_V6ONLY.
 */
public final class CallerSockets {
    /**
     * Read from the main thread's status: bandaid's own filter is only ever on the launcher
     * thread (ProgramLauncher), so a filter here was inherited from whoever started bandaid.
     */
    private static final boolean UNDER_OTHER_FILTER = underSeccompFilter();
    private static final int PROTOCOL_NAME_BYTES = 32;

    private CallerSockets() {
    }

    /** A caller's socket: its family, type and IPV6_V6ONLY (empty when it cannot be known). */
    public record Kind(Family family, SocketType type, Optional<Boolean> v6Only) {
    }

    /** @return empty when the fd is not a socket, or the caller or its fd is gone, or access is denied */
    public static Optional<Kind> describe(int tid, int fd) {
        return UNDER_OTHER_FILTER ? describeByName(tid, fd) : describeByDuplicate(tid, fd);
    }

    static Optional<Kind> describeByDuplicate(int tid, int fd) {
        Optional<Integer> pidfd = pidfdOfThread(tid);
        if (pidfd.isEmpty()) {
            return Optional.empty();
        }
        try (Libc.CallState state = new Libc.CallState()) {
            long dup = (long) Libc.Syscall3.HANDLE.invokeExact(state.errno, (long) Linux.__NR_pidfd_getfd(), (long) pidfd.get(), (long) fd, 0L);
            if (dup < 0) {
                return Optional.empty();
            }
            try {
                int familyNumber = Sockets.intOption(state, (int) dup, Linux.SO_DOMAIN(), "SO_DOMAIN");
                int type = Sockets.intOption(state, (int) dup, Linux.SO_TYPE(), "SO_TYPE");
                return Optional.of(new Kind(Family.of(familyNumber), SocketType.of(type), Optional.of(Sockets.v6Only(state, (int) dup, familyNumber))));
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

    /** The kind from the protocol name the kernel gives the socket, through /proc/TID/fd/FD (same access as pidfd_getfd). */
    static Optional<Kind> describeByName(int tid, int fd) {
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment path = state.arena.allocateFrom("/proc/" + tid + "/fd/" + fd);
            MemorySegment name = state.arena.allocateFrom("system.sockprotoname");
            MemorySegment value = state.arena.allocate(PROTOCOL_NAME_BYTES);
            long length = (long) Libc.Getxattr.HANDLE.invokeExact(state.errno, path, name, value, (long) PROTOCOL_NAME_BYTES);
            if (length <= 0) {
                return Optional.empty(); // not a socket (ENODATA), or gone
            }
            return kindOfProtocol(new String(value.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE),
                    StandardCharsets.US_ASCII).replace("\0", ""));
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /**
     * The kernel's protocol names (struct proto's name). "UNIX" is both SOCK_DGRAM and
     * SOCK_SEQPACKET, and SCTP both SOCK_STREAM and SOCK_SEQPACKET: those, like anything else,
     * stay unknown, and the matcher goes by the address alone.
     */
    static Optional<Kind> kindOfProtocol(String protocol) {
        Optional<Boolean> unknown = Optional.empty();
        return switch (protocol) {
            case "TCP", "MPTCP" -> Optional.of(new Kind(Family.INET, SocketType.STREAM, Optional.of(false)));
            case "UDP", "UDP-Lite" -> Optional.of(new Kind(Family.INET, SocketType.DGRAM, Optional.of(false)));
            case "TCPv6", "MPTCPv6" -> Optional.of(new Kind(Family.INET6, SocketType.STREAM, unknown));
            case "UDPv6", "UDPLITEv6" -> Optional.of(new Kind(Family.INET6, SocketType.DGRAM, unknown));
            case "UNIX-STREAM" -> Optional.of(new Kind(Family.UNIX, SocketType.STREAM, Optional.of(false)));
            default -> Optional.empty();
        };
    }

    private static boolean underSeccompFilter() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .anyMatch(line -> line.startsWith("Seccomp:") && !line.substring("Seccomp:".length()).strip().equals("0"));
        } catch (IOException e) {
            return false;
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
            long fd = (long) Libc.Syscall3.HANDLE.invokeExact(state.errno, (long) Linux.__NR_pidfd_open(), (long) tid, 0L, 0L);
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
            fd = (long) Libc.Syscall3.HANDLE.invokeExact(state.errno, (long) Linux.__NR_pidfd_open(), (long) tgid.get(), 0L, 0L);
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
