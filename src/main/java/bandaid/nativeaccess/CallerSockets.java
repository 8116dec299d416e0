package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.FdFlags;
import bandaid.socket.SocketDescription;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import java.lang.foreign.Arena;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Looks at a fd of a trapped caller: pidfd_getfd(2) (5.6) gives bandaid a duplicate to ask
 * getsockopt(2) about, closed at once (it needs the same ptrace access as reading the caller's
 * memory). The caller or its fd gone is an empty answer for this one call; access denied is a
 * {@link SyscallException} naming the call, so that bandaid can say why and what fixes it. Where a
 * filter may kill bandaid for pidfd_getfd ({@link #duplicatesRefusedHere}:
 * SystemCallFilter=@system-service, which leaves out @debug), it asks the socket's protocol name
 * (getxattr(2) of system.sockprotoname, in @file-system): family and type, not IPV6_V6ONLY.
 */
public final class CallerSockets {
    private CallerSockets() {
    }

    /**
     * @param byDuplicate pidfd_getfd may be used; otherwise the protocol name is asked
     * @return empty when the fd is not a socket, or the caller or its fd is gone
     * @throws SyscallException when bandaid may not look at the fd (EACCES, EPERM)
     */
    public static Optional<SocketKind> kind(int tid, int fd, boolean byDuplicate) {
        return byDuplicate ? kindByDuplicate(tid, fd) : kindByName(tid, fd);
    }

    /**
     * Whether pidfd_getfd(2) works here, asked of bandaid's own fds: a seccomp profile that
     * refuses it with an errno (ENOSYS, EPERM) says so here. Only to be asked where a filter
     * could not kill bandaid for it.
     *
     * @return the refusal, or empty when it works
     */
    public static Optional<SyscallException> duplicatesRefusedHere() {
        OptionalInt pidfd;
        try {
            pidfd = Processes.pidfdOpen(Processes.ownPid());
        } catch (SyscallException refused) {
            return Optional.of(refused);
        }
        try {
            long dup = Libc.syscall(Abi.__NR_pidfd_getfd, pidfd.orElseThrow(), pidfd.orElseThrow(), 0);
            if (dup < 0) {
                return Optional.of(new SyscallException("pidfd_getfd", (int) -dup));
            }
            Fds.close((int) dup, "duplicate of bandaid's own pidfd");
            return Optional.empty();
        } finally {
            Fds.close(pidfd.orElseThrow(), "bandaid's own pidfd");
        }
    }

    /**
     * The close-on-exec and O_NONBLOCK flags of the caller's fd and the inode of the file it
     * holds, from one read of /proc/PID/fdinfo/FD (proc(5)): the only place that tells another
     * process's close-on-exec, and one that CAP_SYS_PTRACE opens for a non-dumpable caller too.
     *
     * @return empty when the fd is not open (any more): a thread may close it while another binds
     * @throws SyscallException when bandaid may not read it (EACCES, EPERM)
     */
    public static Optional<FdState> state(int pid, int fd) {
        try (Arena arena = Arena.ofConfined()) {
            return new FdInfos(arena).of(pid, fd);
        }
    }

    /** What a caller's fd holds: its flags, and the inode of its file (a socket's is its identity). */
    public record FdState(FdFlags flags, long inode) {
    }

    /**
     * What the kernel says of the caller's socket (its own address, type, whether it listens),
     * through a duplicate closed again at once.
     *
     * @return empty when the fd is not a socket, or the caller or its fd is gone
     * @throws SyscallException when bandaid may not take the duplicate (EPERM, EACCES)
     */
    public static Optional<SocketDescription> description(int tid, int fd) {
        OptionalInt dup = duplicateUnlessRefused(tid, fd);
        if (dup.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Sockets.describe(dup.getAsInt()));
        } catch (SyscallException notASocket) {
            return Optional.empty();
        } finally {
            Fds.close(dup.getAsInt(), "duplicate of the caller's fd " + fd);
        }
    }

    static Optional<SocketKind> kindByDuplicate(int tid, int fd) {
        OptionalInt dup = duplicateUnlessRefused(tid, fd);
        if (dup.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Sockets.kind(dup.getAsInt()));
        } catch (SyscallException notASocket) {
            return Optional.empty();
        } finally {
            Fds.close(dup.getAsInt(), "duplicate of the caller's fd " + fd);
        }
    }

    /**
     * A close-on-exec duplicate of the caller's fd in bandaid (pidfd_getfd(2)): the same open
     * file description, so what the program later does with it (listen(2), or a bind that
     * fails) shows on the duplicate too. The caller closes it.
     *
     * @return empty when the caller or its fd is gone, or access is denied
     */
    public static OptionalInt duplicate(int tid, int fd) {
        try {
            return duplicateUnlessRefused(tid, fd);
        } catch (SyscallException refused) {
            return OptionalInt.empty();
        }
    }

    /**
     * {@link #duplicate}, but access denied (EPERM: no ptrace access to the caller; EACCES) is
     * told, not taken for a closed fd.
     */
    private static OptionalInt duplicateUnlessRefused(int tid, int fd) {
        OptionalInt pidfd = Processes.pidfdOfThread(tid);
        if (pidfd.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            long dup = Libc.syscall(Abi.__NR_pidfd_getfd, pidfd.getAsInt(), fd, 0);
            if (dup == -Errno.EPERM || dup == -Errno.EACCES) {
                throw new SyscallException("pidfd_getfd(" + tid + ", " + fd + ")", (int) -dup);
            }
            return dup < 0 ? OptionalInt.empty() : OptionalInt.of((int) dup);
        } finally {
            Fds.close(pidfd.getAsInt(), "pidfd of " + tid);
        }
    }

    /**
     * The kind from the protocol name the kernel gives the socket, through /proc/TID/fd/FD (same
     * ptrace access as pidfd_getfd, and a fd directory bandaid may enter: {@link HeldSockets#protocolName}).
     *
     * @throws SyscallException when bandaid may not look (EACCES, EPERM)
     */
    public static Optional<SocketKind> kindByName(int tid, int fd) {
        return HeldSockets.protocolName(tid, fd).flatMap(CallerSockets::kindOfProtocol);
    }

    /**
     * The kernel's protocol names (struct proto's name). "UNIX" is both SOCK_DGRAM and
     * SOCK_SEQPACKET, and SCTP both SOCK_STREAM and SOCK_SEQPACKET: those, like anything else,
     * stay unknown, and an unknown socket never gets a passed one.
     */
    static Optional<SocketKind> kindOfProtocol(String protocol) {
        Optional<Boolean> unknown = Optional.empty();
        return switch (protocol) {
            case "TCP", "MPTCP" -> Optional.of(new SocketKind(Family.INET, SocketType.STREAM, false));
            case "UDP", "UDP-Lite" -> Optional.of(new SocketKind(Family.INET, SocketType.DGRAM, false));
            case "TCPv6", "MPTCPv6" -> Optional.of(new SocketKind(Family.INET6, SocketType.STREAM, unknown));
            case "UDPv6", "UDPLITEv6" -> Optional.of(new SocketKind(Family.INET6, SocketType.DGRAM, unknown));
            case "UNIX-STREAM" -> Optional.of(new SocketKind(Family.UNIX, SocketType.STREAM, false));
            default -> Optional.empty();
        };
    }
}
