package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One end of a unix SOCK_SEQPACKET connection (unix(7)): messages keep their boundaries and
 * carry fds (SCM_RIGHTS), and the other end's credentials are the kernel's (SO_PEERCRED, taken
 * at connect(2)). The broker listens on one; each wrapper connects, hands its seccomp listener,
 * its stderr and the passed sockets over in one message and waits for the answer. Every fd it
 * makes or receives is close-on-exec.
 */
public final class HandoffSocket implements AutoCloseable {
    /** Room for SCM_MAX_FD (253) fds, the most one message can carry. */
    private static final int CONTROL_BYTES = NotifySocket.CMSG_DATA + 253 * Integer.BYTES + 8;
    /** struct timeval (sys/time.h): long tv_sec; long tv_usec. */
    private static final int TIMEVAL_SIZE = 16;
    /** struct ucred (sys/socket.h): pid_t pid; uid_t uid; gid_t gid. */
    private static final int UCRED_SIZE = 12;
    private static final int UCRED_GID = 8;

    private final int fd;

    private HandoffSocket(int fd) {
        this.fd = fd;
    }

    /**
     * A message as it arrived.
     *
     * @param fds       fds that came with it, now this process's own, close-on-exec
     * @param truncated longer than the room it was read into: its bytes or fds were cut
     */
    public record Message(byte[] bytes, List<Integer> fds, boolean truncated) {
    }

    /** Who is at the other end, as the kernel saw it connect (SO_PEERCRED). */
    public record Peer(int pid, int uid, int gid) {
    }

    /**
     * Connects to the listening socket at {@code path}.
     *
     * @throws SyscallException ENOENT: no socket there; ECONNREFUSED: nobody listens on it;
     *                          EACCES: not allowed to connect
     */
    public static HandoffSocket connect(byte[] path) {
        HandoffSocket socket = new HandoffSocket(newSocket());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = unixAddress(arena, path);
            long r;
            do {
                r = Libc.syscall(Abi.__NR_connect, socket.fd, addr.address(), addr.byteSize());
            } while (r == -Errno.EINTR);
            Libc.check("connect(" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + ")", r);
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** A socket bound to {@code path} and listening: the broker's own, where no service manager passed one. */
    public static HandoffSocket listenAt(byte[] path, int backlog) {
        HandoffSocket socket = new HandoffSocket(newSocket());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = unixAddress(arena, path);
            Libc.check("bind(" + new String(path, java.nio.charset.StandardCharsets.UTF_8) + ")",
                    Libc.syscall(Abi.__NR_bind, socket.fd, addr.address(), addr.byteSize()));
            Libc.check("listen(broker socket)", Libc.syscall(Abi.__NR_listen, socket.fd, backlog, 0));
            return socket;
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The listening socket the service manager passed as {@code fd}; this object owns it from now on. */
    public static HandoffSocket ofListening(int fd) {
        return new HandoffSocket(fd);
    }

    private static int newSocket() {
        return (int) Libc.check("socket(AF_UNIX, SOCK_SEQPACKET)", Libc.syscall(Abi.__NR_socket, Family.UNIX.number(),
                SocketType.SEQPACKET.number() | Abi.SOCK_CLOEXEC, 0));
    }

    private static MemorySegment unixAddress(Arena arena, byte[] path) {
        if (path.length == 0 || Sockaddrs.UN_PATH + path.length >= Sockaddrs.UN_SIZE) {
            throw new SyscallException("sockaddr_un", Errno.ENAMETOOLONG);
        }
        MemorySegment addr = arena.allocate(Sockaddrs.UN_PATH + path.length + 1L, 8);
        addr.set(ValueLayout.JAVA_SHORT, 0, (short) Family.UNIX.number());
        MemorySegment.copy(path, 0, addr, ValueLayout.JAVA_BYTE, Sockaddrs.UN_PATH, path.length);
        return addr;
    }

    /** The next connection, close-on-exec; waits for one. */
    public HandoffSocket accept() {
        while (true) {
            long r = Libc.syscall(Abi.__NR_accept4, fd, 0, 0, Abi.SOCK_CLOEXEC, 0, 0);
            if (r == -Errno.EINTR || r == -Errno.ECONNABORTED) {
                continue;
            }
            return new HandoffSocket((int) Libc.check("accept4(broker socket)", r));
        }
    }

    /** The process at the other end when it connected (SO_PEERCRED, unix(7)). */
    public Peer peer() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cred = arena.allocate(UCRED_SIZE, 4);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, UCRED_SIZE);
            Libc.check("getsockopt(SO_PEERCRED)", Libc.syscall(Abi.__NR_getsockopt, fd, Abi.SOL_SOCKET, Abi.SO_PEERCRED,
                    cred.address(), length.address(), 0));
            return new Peer(cred.get(ValueLayout.JAVA_INT, NotifySocket.UCRED_PID), cred.get(ValueLayout.JAVA_INT, NotifySocket.UCRED_UID),
                    cred.get(ValueLayout.JAVA_INT, UCRED_GID));
        }
    }

    /**
     * After {@code limit}, a send or receive that cannot go on fails with EAGAIN instead of
     * waiting longer (SO_SNDTIMEO, SO_RCVTIMEO, socket(7)): a peer that says nothing cannot hold
     * a thread for ever.
     */
    public void timeOutAfter(Duration limit) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment timeval = arena.allocate(TIMEVAL_SIZE, 8);
            timeval.set(ValueLayout.JAVA_LONG, 0, limit.toSeconds());
            timeval.set(ValueLayout.JAVA_LONG, 8, limit.toMillisPart() * 1000L);
            for (int option : new int[] {Abi.SO_RCVTIMEO, Abi.SO_SNDTIMEO}) {
                Libc.check("setsockopt(SO_RCVTIMEO/SO_SNDTIMEO)", Libc.syscall(Abi.__NR_setsockopt, fd, Abi.SOL_SOCKET, option,
                        timeval.address(), TIMEVAL_SIZE, 0));
            }
        }
    }

    /** Sends one message, with {@code fds} duplicated into the receiver (SCM_RIGHTS). */
    public void send(byte[] bytes, List<Integer> fds) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment data = call.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment iov = call.allocate(Structs.IOVEC_SIZE, 8);
            Structs.iovec(iov, 0, data.address(), bytes.length);
            MemorySegment msg = call.allocate(NotifySocket.MSGHDR_SIZE, 8);
            msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_IOV, iov.address());
            msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_IOVLEN, 1);
            if (!fds.isEmpty()) {
                long space = NotifySocket.CMSG_DATA + ((Integer.BYTES * (long) fds.size() + 7) & ~7L);
                MemorySegment rights = call.allocate(space, 8);
                rights.set(ValueLayout.JAVA_LONG, NotifySocket.CMSG_LEN, NotifySocket.CMSG_DATA + Integer.BYTES * (long) fds.size());
                rights.set(ValueLayout.JAVA_INT, NotifySocket.CMSG_LEVEL, Abi.SOL_SOCKET);
                rights.set(ValueLayout.JAVA_INT, NotifySocket.CMSG_TYPE, Abi.SCM_RIGHTS);
                for (int i = 0; i < fds.size(); i++) {
                    rights.set(ValueLayout.JAVA_INT, NotifySocket.CMSG_DATA + (long) Integer.BYTES * i, fds.get(i));
                }
                msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_CONTROL, rights.address());
                msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_CONTROLLEN, space);
            }
            long sent;
            do {
                sent = Libc.syscall(Abi.__NR_sendmsg, fd, msg.address(), Abi.MSG_NOSIGNAL);
            } while (sent == -Errno.EINTR);
            Libc.check("sendmsg(handoff)", sent);
        }
    }

    /**
     * Waits for one message of at most {@code mostBytes}; its fds arrive close-on-exec
     * (MSG_CMSG_CLOEXEC). A message of zero bytes and no fds is the other end closing.
     *
     * @throws SyscallException EAGAIN when {@link #timeOutAfter} passed first
     */
    public Message receive(int mostBytes) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment buffer = call.allocate(mostBytes + 1L, 8);
            MemorySegment control = call.allocate(CONTROL_BYTES, 8);
            MemorySegment iov = call.allocate(Structs.IOVEC_SIZE, 8);
            Structs.iovec(iov, 0, buffer.address(), mostBytes + 1L);
            MemorySegment msg = call.allocate(NotifySocket.MSGHDR_SIZE, 8);
            msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_IOV, iov.address());
            msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_IOVLEN, 1);
            msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_CONTROL, control.address());
            msg.set(ValueLayout.JAVA_LONG, NotifySocket.MSG_CONTROLLEN, CONTROL_BYTES);
            long n;
            do {
                n = Libc.syscall(Abi.__NR_recvmsg, fd, msg.address(), Abi.MSG_CMSG_CLOEXEC);
            } while (n == -Errno.EINTR);
            Libc.check("recvmsg(handoff)", n);
            int flags = msg.get(ValueLayout.JAVA_INT, NotifySocket.MSG_FLAGS);
            List<Integer> fds = rights(control, msg.get(ValueLayout.JAVA_LONG, NotifySocket.MSG_CONTROLLEN));
            boolean truncated = n > mostBytes || (flags & (Abi.MSG_TRUNC | Abi.MSG_CTRUNC)) != 0;
            return new Message(buffer.asSlice(0, Math.min(n, mostBytes)).toArray(ValueLayout.JAVA_BYTE), fds, truncated);
        }
    }

    /** The fds of every SCM_RIGHTS message in {@code control} (cmsg(3): header, data, padded to 8 bytes). */
    private static List<Integer> rights(MemorySegment control, long length) {
        List<Integer> fds = new ArrayList<>();
        long at = 0;
        while (at + NotifySocket.CMSG_DATA <= length) {
            long cmsgLength = control.get(ValueLayout.JAVA_LONG, at + NotifySocket.CMSG_LEN);
            if (cmsgLength < NotifySocket.CMSG_DATA || at + cmsgLength > length) {
                break;
            }
            if (control.get(ValueLayout.JAVA_INT, at + NotifySocket.CMSG_LEVEL) == Abi.SOL_SOCKET
                    && control.get(ValueLayout.JAVA_INT, at + NotifySocket.CMSG_TYPE) == Abi.SCM_RIGHTS) {
                for (long i = at + NotifySocket.CMSG_DATA; i + Integer.BYTES <= at + cmsgLength; i += Integer.BYTES) {
                    fds.add(control.get(ValueLayout.JAVA_INT, i));
                }
            }
            at += (cmsgLength + 7) & ~7L;
        }
        return fds;
    }

    /** This end's fd, for poll(2) and for the service manager's fd store. */
    public int fd() {
        return fd;
    }

    @Override
    public void close() {
        Fds.close(fd, "handoff socket");
    }
}
