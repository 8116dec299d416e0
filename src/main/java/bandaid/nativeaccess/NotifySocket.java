package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * bandaid's own sd_notify socket, for the program: AF_UNIX datagrams on an abstract name the kernel
 * picks (autobind, unix(7): no file, works under ProtectSystem=strict), with SO_PASSCRED
 * (SCM_CREDENTIALS: the sender's pid and uid) and fds arriving close-on-exec (MSG_CMSG_CLOEXEC); it
 * also sends on, as bandaid, whose pid systemd checks against the main pid. Anyone in the network
 * namespace can send to an abstract name, so each datagram comes with its {@link Sender}, pinned
 * by a pidfd: SCM_PIDFD (SO_PASSPIDFD, Linux 6.5), else pidfd_open(2) as soon as it is read (the
 * credentials are filled in at send time; the sender may have exited since). Offsets of msghdr,
 * cmsghdr and ucred: x86-64 glibc, held to the bindings by AbiNumbersTest.
 */
public final class NotifySocket implements AutoCloseable {
    /** systemd's NOTIFY_BUFFER_MAX (PIPE_BUF): a longer message is dropped there, and here. */
    public static final int MOST_BYTES = 4096;
    static final int MSGHDR_SIZE = 56;
    static final int MSG_NAME = 0;
    static final int MSG_NAMELEN = 8;
    static final int MSG_IOV = 16;
    static final int MSG_IOVLEN = 24;
    static final int MSG_CONTROL = 32;
    static final int MSG_CONTROLLEN = 40;
    static final int MSG_FLAGS = 48;
    static final int CMSG_LEN = 0;
    static final int CMSG_LEVEL = 8;
    static final int CMSG_TYPE = 12;
    /** CMSG_DATA: the header rounded up to 8 bytes. */
    static final int CMSG_DATA = 16;
    static final int UCRED_PID = 0;
    static final int UCRED_UID = 4;
    /**
     * SO_PASSPIDFD and SCM_PIDFD (include/uapi/asm-generic/socket.h, include/linux/socket.h; Linux
     * 6.5): newer than the system headers the bindings come from, so NotifySocketTest holds them to
     * the kernel's behaviour (and to the headers where they have them).
     */
    static final int SO_PASSPIDFD = 76;
    static final int SCM_PIDFD = 4;
    /** Room for the credentials, a pidfd and SCM_MAX_FD (253) fds. */
    private static final int CONTROL_BYTES = 2048;

    /** Who sent a datagram, as far as can be told when bandaid reads it. */
    public enum Sender {
        /** One of bandaid's descendants: the program, or a process it started. */
        DESCENDANT,
        /** A process that is not one of bandaid's descendants. */
        STRANGER,
        /**
         * A process that had exited and been reaped before bandaid read its datagram: its pid may
         * belong to another process by now, so who it was cannot be told.
         */
        GONE,
        /** A process bandaid cannot see in /proc (ProtectProc=invisible, another user's), or whose tree kept changing while read. */
        UNKNOWN
    }

    /**
     * One datagram as it arrived.
     *
     * @param truncated longer than {@link #MOST_BYTES}, or with more fds than fit
     * @param fds       fds that came with it (SCM_RIGHTS), now bandaid's own, close-on-exec
     * @param sender    who sent it, told when it was read
     */
    public record Datagram(byte[] text, int pid, int uid, List<Integer> fds, boolean truncated, Sender sender) {
    }

    private final int fd;
    private final int sender;
    private final ListenAddress.Unix address;
    private final boolean passesPidfds;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(MOST_BYTES + 1L, 8);
    private final MemorySegment control = arena.allocate(CONTROL_BYTES, 8);

    private NotifySocket(int fd, int sender, ListenAddress.Unix address, boolean passesPidfds) {
        this.fd = fd;
        this.sender = sender;
        this.address = address;
        this.passesPidfds = passesPidfds;
    }

    /** A bound socket with SO_PASSCRED (and SO_PASSPIDFD where the kernel has it), and an unbound one to send from. */
    public static NotifySocket open() {
        int type = SocketType.DGRAM.number() | Abi.SOCK_CLOEXEC;
        int fd = (int) Libc.check("socket(AF_UNIX, SOCK_DGRAM)", Libc.syscall(Abi.__NR_socket, Family.UNIX.number(), type, 0));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment on = arena.allocateFrom(ValueLayout.JAVA_INT, 1);
            Libc.check("setsockopt(SO_PASSCRED)", Libc.syscall(Abi.__NR_setsockopt, fd, Abi.SOL_SOCKET, Abi.SO_PASSCRED,
                    on.address(), Integer.BYTES, 0));
            // ENOPROTOOPT before Linux 6.5: then pidfd_open(2) after each datagram stands in.
            boolean passesPidfds = Libc.syscall(Abi.__NR_setsockopt, fd, Abi.SOL_SOCKET, SO_PASSPIDFD, on.address(), Integer.BYTES, 0) == 0;
            // unix(7): bind() with only the family (addrlen == sizeof(sa_family_t)) autobinds.
            MemorySegment family = arena.allocateFrom(ValueLayout.JAVA_SHORT, (short) Family.UNIX.number());
            Libc.check("bind(AF_UNIX, autobind)", Libc.syscall(Abi.__NR_bind, fd, family.address(), Sockaddrs.FAMILY_SIZE));
            MemorySegment addr = arena.allocate(Sockaddrs.MAX_LENGTH, 8);
            MemorySegment length = arena.allocateFrom(ValueLayout.JAVA_INT, Sockaddrs.MAX_LENGTH);
            Libc.check("getsockname(notify socket)", Libc.syscall(Abi.__NR_getsockname, fd, addr.address(), length.address()));
            ListenAddress.Unix address = (ListenAddress.Unix) Sockaddrs.decode(addr, length.get(ValueLayout.JAVA_INT, 0)).orElseThrow();
            int sender = (int) Libc.check("socket(AF_UNIX, SOCK_DGRAM)", Libc.syscall(Abi.__NR_socket, Family.UNIX.number(), type, 0));
            return new NotifySocket(fd, sender, address, passesPidfds);
        } catch (RuntimeException e) {
            Fds.close(fd, "notify socket");
            throw e;
        }
    }

    /** The abstract name the kernel gave it. */
    public ListenAddress.Unix address() {
        return address;
    }

    /** Whether each datagram comes with a pidfd of its sender (SO_PASSPIDFD, Linux 6.5). */
    boolean passesPidfds() {
        return passesPidfds;
    }

    /**
     * Waits for the next datagram (one thread only) and tells who sent it.
     *
     * @throws SyscallException when the socket is broken
     */
    public Datagram receive() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment iov = call.allocate(Structs.IOVEC_SIZE, 8);
            Structs.iovec(iov, 0, buffer.address(), MOST_BYTES + 1L);
            MemorySegment msg = call.allocate(MSGHDR_SIZE, 8);
            msg.set(ValueLayout.JAVA_LONG, MSG_IOV, iov.address());
            msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
            while (true) {
                msg.set(ValueLayout.JAVA_LONG, MSG_CONTROL, control.address());
                msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, CONTROL_BYTES);
                msg.set(ValueLayout.JAVA_INT, MSG_FLAGS, 0);
                long n = Libc.syscall(Abi.__NR_recvmsg, fd, msg.address(), Abi.MSG_CMSG_CLOEXEC);
                if (n == -Errno.EINTR) {
                    continue;
                }
                Libc.check("recvmsg(notify socket)", n);
                int flags = msg.get(ValueLayout.JAVA_INT, MSG_FLAGS);
                boolean truncated = n > MOST_BYTES || (flags & (Abi.MSG_TRUNC | Abi.MSG_CTRUNC)) != 0;
                byte[] text = buffer.asSlice(0, Math.min(n, MOST_BYTES)).toArray(ValueLayout.JAVA_BYTE);
                return controlMessages(text, msg.get(ValueLayout.JAVA_LONG, MSG_CONTROLLEN), truncated);
            }
        }
    }

    /**
     * Reads SCM_CREDENTIALS, SCM_PIDFD and SCM_RIGHTS (cmsg(3): each header, its data, padded to 8
     * bytes), and tells who the sender is while its pidfd is open; the pidfd is closed here.
     */
    private Datagram controlMessages(byte[] text, long length, boolean truncated) {
        int pid = 0;
        int uid = -1;
        // SCM_PIDFD holds a negative errno when the kernel could not make one (Linux 6.5-6.15:
        // ESRCH for a sender already reaped); none at all before 6.5.
        OptionalInt pidfd = OptionalInt.empty();
        List<Integer> fds = new ArrayList<>();
        long at = 0;
        while (at + CMSG_DATA <= length) {
            long cmsgLength = control.get(ValueLayout.JAVA_LONG, at + CMSG_LEN);
            if (cmsgLength < CMSG_DATA || at + cmsgLength > length) {
                break;
            }
            int level = control.get(ValueLayout.JAVA_INT, at + CMSG_LEVEL);
            int type = control.get(ValueLayout.JAVA_INT, at + CMSG_TYPE);
            if (level == Abi.SOL_SOCKET && type == Abi.SCM_CREDENTIALS) {
                pid = control.get(ValueLayout.JAVA_INT, at + CMSG_DATA + UCRED_PID);
                uid = control.get(ValueLayout.JAVA_INT, at + CMSG_DATA + UCRED_UID);
            } else if (level == Abi.SOL_SOCKET && type == SCM_PIDFD) {
                pidfd = OptionalInt.of(control.get(ValueLayout.JAVA_INT, at + CMSG_DATA));
            } else if (level == Abi.SOL_SOCKET && type == Abi.SCM_RIGHTS) {
                for (long i = at + CMSG_DATA; i + Integer.BYTES <= at + cmsgLength; i += Integer.BYTES) {
                    fds.add(control.get(ValueLayout.JAVA_INT, i));
                }
            }
            at += (cmsgLength + 7) & ~7L;
        }
        return new Datagram(text, pid, uid, fds, truncated, sender(pid, pidfd));
    }

    /** {@link ProcessTree#of} with a pidfd of the sender: the kernel's, or one opened now. */
    private static Sender sender(int pid, OptionalInt fromKernel) {
        if (fromKernel.isPresent() && fromKernel.getAsInt() == -Errno.ESRCH) {
            return Sender.GONE;
        }
        int pidfd = fromKernel.isPresent() && fromKernel.getAsInt() >= 0 ? fromKernel.getAsInt() : -1;
        if (pidfd < 0 && pid > 0) {
            long opened = Libc.syscall(Abi.__NR_pidfd_open, pid, 0, 0);
            if (opened == -Errno.ESRCH) {
                return Sender.GONE;
            }
            pidfd = (int) opened; // negative when pidfd_open is refused (a sandbox): then told by pid
        }
        try {
            return ProcessTree.of(pid, pidfd);
        } catch (RuntimeException e) {
            return Sender.UNKNOWN;
        } finally {
            if (pidfd >= 0) {
                closeQuietly(pidfd);
            }
        }
    }

    /**
     * Sends {@code text} (and {@code fds}, SCM_RIGHTS) to the datagram socket at {@code to}, a
     * path or an abstract name, as bandaid.
     *
     * @throws SyscallException when it cannot be sent (ECONNREFUSED: nobody listens there)
     */
    public void send(ListenAddress.Unix to, byte[] text, List<Integer> fds) {
        byte[] name = to.name();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment addr = call.allocate(Sockaddrs.UN_SIZE, 8);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) Family.UNIX.number());
            int offset = Sockaddrs.UN_PATH + (to.isAbstract() ? 1 : 0); // sun_path[0] = NUL: abstract
            if (offset + name.length > Sockaddrs.UN_SIZE) {
                throw new SyscallException("sendmsg(" + to + ")", Errno.ENAMETOOLONG);
            }
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, offset, name.length);
            MemorySegment data = call.allocate(Math.max(1, text.length));
            MemorySegment.copy(text, 0, data, ValueLayout.JAVA_BYTE, 0, text.length);
            MemorySegment iov = call.allocate(Structs.IOVEC_SIZE, 8);
            Structs.iovec(iov, 0, data.address(), text.length);
            MemorySegment msg = call.allocate(MSGHDR_SIZE, 8);
            msg.set(ValueLayout.JAVA_LONG, MSG_NAME, addr.address());
            msg.set(ValueLayout.JAVA_INT, MSG_NAMELEN, offset + name.length);
            msg.set(ValueLayout.JAVA_LONG, MSG_IOV, iov.address());
            msg.set(ValueLayout.JAVA_LONG, MSG_IOVLEN, 1);
            if (!fds.isEmpty()) {
                long space = CMSG_DATA + ((Integer.BYTES * (long) fds.size() + 7) & ~7L);
                MemorySegment rights = call.allocate(space, 8);
                rights.set(ValueLayout.JAVA_LONG, CMSG_LEN, CMSG_DATA + Integer.BYTES * (long) fds.size());
                rights.set(ValueLayout.JAVA_INT, CMSG_LEVEL, Abi.SOL_SOCKET);
                rights.set(ValueLayout.JAVA_INT, CMSG_TYPE, Abi.SCM_RIGHTS);
                for (int i = 0; i < fds.size(); i++) {
                    rights.set(ValueLayout.JAVA_INT, CMSG_DATA + (long) Integer.BYTES * i, fds.get(i));
                }
                msg.set(ValueLayout.JAVA_LONG, MSG_CONTROL, rights.address());
                msg.set(ValueLayout.JAVA_LONG, MSG_CONTROLLEN, space);
            }
            long sent;
            do {
                sent = Libc.syscall(Abi.__NR_sendmsg, sender, msg.address(), Abi.MSG_NOSIGNAL);
            } while (sent == -Errno.EINTR);
            Libc.check("sendmsg(" + to + ")", sent);
        }
    }

    /**
     * Closes fds that came with a datagram, once passed on or dropped. Each is closed even when
     * close(2) reports an error for another (Linux frees the fd whatever close returns).
     */
    public static void closeAll(List<Integer> fds) {
        for (int received : fds) {
            closeQuietly(received);
        }
    }

    private static void closeQuietly(int fd) {
        Libc.syscall(Abi.__NR_close, fd, 0, 0);
    }

    @Override
    public void close() {
        Fds.close(fd, "notify socket");
        Fds.close(sender, "notify sender socket");
    }
}
