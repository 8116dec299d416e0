package bandaid.nativeaccess;

import bandaid.socket.CallerFd;
import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.Outcome;
import bandaid.socket.Reply;
import bandaid.socket.SocketType;
import bandaid.socket.TrappedCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The seccomp listener fd (seccomp_unotify(2)): receives trapped calls and answers them; it owns
 * the fd and closes it once. One {@link Receiver} receives, on the reader thread, and answers in
 * its own memory; answers after a closer look come through {@link #answerIfWaiting}. Every answer
 * is one visit reported as one {@link Outcome}, never an exception: ENOENT is "the caller went
 * away" (seccomp_unotify(2), NOTES), and a reply that cannot be given gets what the kernel itself
 * would have answered, decided here, where the errno is known.
 */
public final class SeccompListener implements AutoCloseable {
    private final int fd;
    private final Sizes sizes;
    private final AtomicBoolean closed = new AtomicBoolean();

    SeccompListener(int fd, Sizes sizes) {
        this.fd = fd;
        this.sizes = sizes;
    }

    /** The sizes of the notification structs as this kernel has them (SECCOMP_GET_NOTIF_SIZES). */
    record Sizes(long notif, long response) {
    }

    /**
     * A listener another process made and handed over (SCM_RIGHTS): this object owns {@code fd}
     * from now on, and closes it even when it is refused.
     *
     * @throws SyscallException EINVAL when {@code fd} is no seccomp listener ({@code
     *                          anon_inode:seccomp notify}, as /proc/self/fd shows it)
     */
    public static SeccompListener handedOver(int fd) {
        if (!Fds.anonymousInode(fd).equals(Optional.of("seccomp notify"))) {
            Fds.close(fd, "not a seccomp listener");
            throw new SyscallException("a seccomp listener", Errno.EINVAL);
        }
        return new SeccompListener(fd, SeccompFilter.sizes());
    }

    /** The listener's fd, to hand it over (SCM_RIGHTS) or keep it in a service manager's fd store. */
    public int fd() {
        return fd;
    }

    /** A receiver that waits in NOTIF_RECV itself (see {@link Receiver#next}). */
    public Receiver receiver() {
        return new Receiver(false, Optional.empty());
    }

    /**
     * A receiver that waits in poll(2) before each NOTIF_RECV, for a reader that must see the end
     * of the filter's processes on any kernel: before Linux 6.11 ("seccomp: interrupt
     * SECCOMP_IOCTL_NOTIF_RECV when all users have exited") a reader waiting in NOTIF_RECV waits
     * for ever once they are gone, while poll(2) reports POLLHUP. One system call more per call.
     */
    public Receiver pollingReceiver() {
        return new Receiver(!SeccompFilter.recvEndsWithItsUsers(), Optional.empty());
    }

    /**
     * A {@link #pollingReceiver} that receives each call into {@code slot}, which outlives this
     * process: a reader that takes over the listener later (the next broker) finds there the one
     * call that was received and maybe not answered ({@link Receiver#leftOver}). The kernel hands
     * a call out once; one received and never answered would wait for ever. For a reader that
     * answers each call before it receives the next: one slot holds all there can be.
     */
    public Receiver pollingReceiverInto(SharedMemory.Slot slot) {
        return new Receiver(!SeccompFilter.recvEndsWithItsUsers(), Optional.of(slot));
    }

    /**
     * Receives and decodes notifications on the thread that made it, and answers them there in its
     * own memory: buffers allocated once, nothing per call. The notification buffer is sized by
     * SECCOMP_GET_NOTIF_SIZES, not by the header's struct, since a newer kernel may hand out a
     * larger struct seccomp_notif.
     */
    public final class Receiver implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment notif;
        /** The fields bandaid reads of each notification, copied out of {@link #notif} in one step (NativeBytes). */
        private final byte[] received = new byte[SeccompIoctl.NOTIF_SIZE];
        private final MemorySegment poll = arena.allocate(Structs.POLLFD_SIZE, 8);
        private final Answers answers = new Answers(arena);
        private final CallerMemory memory = new CallerMemory();
        private final boolean pollFirst;

        private Receiver(boolean pollFirst, Optional<SharedMemory.Slot> slot) {
            this.pollFirst = pollFirst;
            long size = Math.max(sizes.notif(), SeccompIoctl.NOTIF_SIZE);
            this.notif = slot.filter(s -> s.size() >= size).map(s -> s.segment().asSlice(0, size)).orElseGet(() -> arena.allocate(size, 8));
            poll.set(ValueLayout.JAVA_INT, Structs.POLLFD_FD, fd);
            poll.set(ValueLayout.JAVA_SHORT, Structs.POLLFD_EVENTS, (short) Abi.POLLIN);
        }

        /**
         * Waits for the next trapped call and decodes it, reading the caller's memory once. It
         * waits in NOTIF_RECV itself, not in poll(2) first: one system call per trapped call, not
         * two. Since Linux 6.11 the wait ends with ENOENT once no process is left under the filter
         * (poll(2)'s POLLHUP tells that from a caller gone); before, the reader waits on, and
         * nothing waits for it. A close() from another thread does not end a wait in progress (the
         * ioctl holds the file).
         *
         * @return empty once no process is left under the filter (seccomp_notify_poll: POLLHUP)
         * @throws IllegalStateException when the listener was closed (no call can be answered)
         * @throws SyscallException      when receiving itself fails
         */
        public Optional<Notification> next() {
            while (true) {
                if (pollFirst && !callWaits()) {
                    return Optional.empty();
                }
                // NOTIF_RECV fails with EINVAL unless the buffer is zeroed (seccomp_notify_recv).
                notif.fill((byte) 0);
                long r = ioctl(SeccompIoctl.NOTIF_RECV, notif.address());
                if (closed.get()) {
                    throw closedUnderTheReader();
                }
                if (r == -Errno.EINTR) {
                    continue;
                }
                // ENOENT: the caller went away before it was received (crun #526), or no
                // process is left under the filter.
                if (r == -Errno.ENOENT) {
                    if (noneLeft()) {
                        return Optional.empty();
                    }
                    continue;
                }
                Libc.check("ioctl(SECCOMP_IOCTL_NOTIF_RECV)", r);
                return Optional.of(decode());
            }
        }

        /** The listener is gone: no call can be answered any more (see {@link #next}). */
        private static IllegalStateException closedUnderTheReader() {
            return new IllegalStateException("the seccomp listener was closed under the reader");
        }

        /** Waits in poll(2) for a call: false once none can come any more (POLLHUP without POLLIN). */
        private boolean callWaits() {
            while (true) {
                long ready = Libc.syscall(Abi.__NR_poll, poll.address(), 1, -1);
                if (ready == -Errno.EINTR) {
                    continue;
                }
                Libc.check("poll(seccomp listener)", ready);
                short revents = poll.get(ValueLayout.JAVA_SHORT, Structs.POLLFD_REVENTS);
                if ((revents & Abi.POLLNVAL) != 0 || closed.get()) {
                    throw closedUnderTheReader();
                }
                return (revents & Abi.POLLIN) != 0 || (revents & (Abi.POLLHUP | Abi.POLLERR)) == 0;
            }
        }

        /** Whether the filter has no tasks left and no call waits: poll(2) without waiting. */
        private boolean noneLeft() {
            long ready = Libc.syscall(Abi.__NR_poll, poll.address(), 1, 0);
            if (ready == -Errno.EINTR) {
                return false; // a signal: NOTIF_RECV again, which will tell
            }
            Libc.check("poll(seccomp listener)", ready);
            short revents = poll.get(ValueLayout.JAVA_SHORT, Structs.POLLFD_REVENTS);
            if ((revents & Abi.POLLNVAL) != 0) {
                throw closedUnderTheReader();
            }
            return ready > 0 && (revents & Abi.POLLIN) == 0 && (revents & (Abi.POLLHUP | Abi.POLLERR)) != 0;
        }

        /**
         * Hands each trapped call to {@code each}, on this thread, until no process is left under
         * the filter (see {@link #next}).
         */
        public void forEach(Consumer<Notification> each) {
            for (Optional<Notification> n = next(); n.isPresent(); n = next()) {
                each.accept(n.get());
            }
        }

        /**
         * The call a reader before this one received into this receiver's slot and may not have
         * answered (its process ended, or was killed): when the caller still waits in it
         * (SECCOMP_IOCTL_NOTIF_ID_VALID), the call decoded anew, its memory read again.
         */
        public Optional<Notification> leftOver() {
            MemorySegment.copy(notif, ValueLayout.JAVA_BYTE, 0, received, 0, received.length);
            long id = NativeBytes.s64(received, SeccompIoctl.NOTIF_ID);
            if (id == 0 || !isWaiting(id)) {
                return Optional.empty();
            }
            return Optional.of(decode());
        }

        /** Answers a call on the reader thread, in this receiver's memory. */
        public Outcome answer(long id, Reply reply) {
            return answers.give(id, reply);
        }

        private Notification decode() {
            MemorySegment.copy(notif, ValueLayout.JAVA_BYTE, 0, received, 0, received.length);
            long id = NativeBytes.s64(received, SeccompIoctl.NOTIF_ID);
            int pid = NativeBytes.s32(received, SeccompIoctl.NOTIF_PID);
            int nr = NativeBytes.s32(received, SeccompIoctl.NOTIF_DATA + BpfProgram.NR_OFFSET);
            if (NativeBytes.s32(received, SeccompIoctl.NOTIF_DATA + BpfProgram.ARCH_OFFSET) == Abi.AUDIT_ARCH_I386) {
                return decodeI386(id, pid, nr);
            }
            // x32 calls are x86-64's with X32_SYSCALL_BIT set (BpfProgram).
            nr &= ~BpfProgram.X32_SYSCALL_BIT;
            long a0 = arg(0);
            long a1 = arg(1);
            long a2 = arg(2);
            TrappedCall call;
            if (nr == Abi.__NR_socket) {
                call = socket(pid, (int) a0, (int) a1, (int) a2);
            } else if (nr == Abi.__NR_bind || nr == Abi.__NR_connect) {
                return addressed(id, pid, nr == Abi.__NR_bind, (int) a0, a1, a2 & 0xffffffffL);
            } else if (nr == Abi.__NR_listen) {
                call = new TrappedCall.Listen(pid, (int) a0);
            } else if (nr == Abi.__NR_unlink) {
                call = unlink(pid, TrappedCall.Unlink.AT_FDCWD, a0, false);
            } else if (nr == Abi.__NR_unlinkat) {
                call = unlink(pid, (int) a0, a1, (a2 & Abi.AT_REMOVEDIR) != 0);
            } else if (nr == Abi.__NR_io_uring_setup) {
                call = new TrappedCall.IoUringSetup(pid);
            } else {
                call = new TrappedCall.Other(pid, nr);
            }
            return new Notification(id, call, 0);
        }

        /**
         * An i386 call: its arguments are 32 bits, the low halves of the fields (a 64-bit
         * program's int 0x80 may leave anything in the high ones, which the kernel ignores), and
         * socketcall(2)'s are in the caller's memory, read once here.
         */
        private Notification decodeI386(long id, int pid, int nr) {
            long a0 = arg(0) & 0xffffffffL;
            long a1 = arg(1) & 0xffffffffL;
            long a2 = arg(2) & 0xffffffffL;
            if (nr == I386.NR_BIND || nr == I386.NR_CONNECT) {
                return addressed(id, pid, nr == I386.NR_BIND, (int) a0, a1, a2);
            }
            if (nr == I386.NR_SOCKETCALL) {
                return socketcall(id, pid, nr, (int) a0, a1);
            }
            TrappedCall call;
            if (nr == I386.NR_SOCKET) {
                call = socket(pid, (int) a0, (int) a1, (int) a2);
            } else if (nr == I386.NR_LISTEN) {
                call = new TrappedCall.Listen(pid, (int) a0);
            } else if (nr == I386.NR_UNLINK) {
                call = unlink(pid, TrappedCall.Unlink.AT_FDCWD, a0, false);
            } else if (nr == I386.NR_UNLINKAT) {
                call = unlink(pid, (int) a0, a1, (a2 & Abi.AT_REMOVEDIR) != 0);
            } else if (nr == I386.NR_IO_URING_SETUP) {
                call = new TrappedCall.IoUringSetup(pid);
            } else {
                call = new TrappedCall.Other(pid, nr);
            }
            return new Notification(id, call, 0);
        }

        private static TrappedCall socket(int pid, int family, int type, int protocol) {
            return new TrappedCall.Socket(pid, Family.of(family), SocketType.of(type), protocol,
                    (type & Abi.SOCK_NONBLOCK) != 0, (type & Abi.SOCK_CLOEXEC) != 0);
        }

        /**
         * socketcall(call, args): the operation's arguments are 32-bit words in the caller's
         * memory, read once before the address they point to; unreadable, the kernel answers the
         * call as it would without bandaid.
         */
        private Notification socketcall(long id, int pid, int nr, int operation, long args) {
            int count = operation == Abi.SYS_LISTEN ? 1 : 3;
            if (operation != Abi.SYS_BIND && operation != Abi.SYS_CONNECT && operation != Abi.SYS_LISTEN && operation != Abi.SYS_SOCKET) {
                return new Notification(id, new TrappedCall.Other(pid, nr), 0);
            }
            Optional<int[]> words = memory.readWords(pid, args, count);
            if (words.isEmpty()) {
                TrappedCall unread = operation == Abi.SYS_BIND ? new TrappedCall.Bind(pid, -1, Optional.empty())
                        : operation == Abi.SYS_CONNECT ? new TrappedCall.Connect(pid, -1, Optional.empty()) : new TrappedCall.Other(pid, nr);
                return new Notification(id, unread, unread instanceof TrappedCall.Other ? 0 : memory.lastError());
            }
            int[] w = words.get();
            if (operation == Abi.SYS_LISTEN) {
                return new Notification(id, new TrappedCall.Listen(pid, w[0]), 0);
            }
            if (operation == Abi.SYS_SOCKET) {
                return new Notification(id, socket(pid, w[0], w[1], w[2]), 0);
            }
            return addressed(id, pid, operation == Abi.SYS_BIND, w[0], w[1] & 0xffffffffL, w[2] & 0xffffffffL);
        }

        /** bind(fd, address, length) or connect(), the address read once. */
        private Notification addressed(long id, int pid, boolean bind, int fd, long address, long length) {
            // socklen_t is unsigned; the kernel refuses more than sizeof(sockaddr_storage)
            // with EINVAL (net/socket.c, move_addr_to_kernel): such an address is no match.
            Optional<ListenAddress> read = length > Sockaddrs.MAX_LENGTH ? Optional.empty()
                    : memory.readSockaddr(pid, address, length);
            TrappedCall made = bind ? new TrappedCall.Bind(pid, fd, read) : new TrappedCall.Connect(pid, fd, read);
            return new Notification(id, made, read.isEmpty() && length <= Sockaddrs.MAX_LENGTH ? memory.lastError() : 0);
        }

        private TrappedCall unlink(int pid, int dirfd, long pathAddress, boolean removesDir) {
            Optional<ListenAddress.Unix> path = removesDir ? Optional.empty()
                    : memory.readPath(pid, pathAddress).map(p -> new ListenAddress.Unix(p, false));
            return new TrappedCall.Unlink(pid, dirfd, path, removesDir);
        }

        private long arg(int index) {
            return NativeBytes.s64(received, SeccompIoctl.NOTIF_DATA + BpfProgram.ARGS_OFFSET + 8 * index);
        }

        @Override
        public void close() {
            memory.close();
            arena.close();
        }
    }

    /** SECCOMP_IOCTL_NOTIF_ID_VALID: does the caller still wait in call {@code id}? */
    private boolean isWaiting(long id) {
        try (Arena arena = Arena.ofConfined()) {
            return ioctl(SeccompIoctl.NOTIF_ID_VALID, arena.allocateFrom(ValueLayout.JAVA_LONG, id).address()) == 0;
        }
    }

    /**
     * Answers a call from any thread, after SECCOMP_IOCTL_NOTIF_ID_VALID: what was read of the
     * caller (its memory, its fds, its files) belongs to this very call only while it still waits
     * in it (seccomp_unotify(2)); a pid may be reused once it is gone.
     */
    public Outcome answerIfWaiting(long id, Reply reply) {
        try (Arena arena = Arena.ofConfined()) {
            long r = ioctl(SeccompIoctl.NOTIF_ID_VALID, arena.allocateFrom(ValueLayout.JAVA_LONG, id).address());
            if (r == -Errno.ENOENT) {
                return new Outcome.CallerGone();
            }
            if (r < 0) {
                return new Outcome.Unanswered((int) -r);
            }
            return new Answers(arena).give(id, reply);
        }
    }

    /**
     * The answering itself, in memory allocated once per owner: the reader's receiver, or one
     * look's arena. Each reply is given here in one visit, with the kernel's own fallback when it
     * cannot be.
     */
    private final class Answers {
        private final MemorySegment response;
        private final MemorySegment addfd;
        private final FdInfos fdInfos;

        Answers(Arena arena) {
            response = arena.allocate(Math.max(sizes.response(), SeccompIoctl.RESP_SIZE), 8);
            addfd = arena.allocate(SeccompIoctl.ADDFD_SIZE, 8);
            fdInfos = new FdInfos(arena);
            // a newer kernel's larger struct: what this one does not know stays 0
            response.fill((byte) 0);
        }

        Outcome give(long id, Reply reply) {
            if (closed.get()) {
                return new Outcome.Unanswered(Errno.EBADF);
            }
            // instanceof, not a pattern switch: see ARCHITECTURE.md, "No pattern switches".
            if (reply instanceof Reply.Hand hand) {
                return hand(id, hand);
            }
            long r = send(id, reply);
            if (r >= 0) {
                return new Outcome.Given(reply instanceof Reply.Return ret ? ret.value() : 0);
            }
            return r == -Errno.ENOENT ? new Outcome.CallerGone() : instead(id, new Reply.Continue(), (int) -r);
        }

        /**
         * socket(): ADDFD with SECCOMP_ADDFD_FLAG_SEND (5.14) injects and answers in one step, so
         * a signal cannot leave the fd injected but the call restarted (seccomp_unotify(2)).
         * bind(): ADDFD with SETFD replaces the caller's fd as dup2(2) does, then bind() returns 0.
         * Two steps: a bind() restarted in between is answered the same way again, and nothing
         * leaks. SETFD replaces whatever the fd holds then, which another thread may have changed
         * with close or dup2(2) since bandaid looked: the fd must still hold the socket looked at
         * (its inode, checked last), else the call runs as the program made it. The moment after
         * that check remains: the trapped thread installs the fd itself (seccomp_handle_addfd),
         * and no call makes a replacement conditional (ARCHITECTURE.md, "Design notes").
         */
        private Outcome hand(long id, Reply.Hand hand) {
            if (hand.nonBlocking().isPresent()) {
                try {
                    Fds.setNonBlocking(hand.socketFd(), hand.nonBlocking().get());
                } catch (SyscallException e) {
                    return instead(id, new Reply.Continue(), e.errno());
                }
            }
            if (hand.over().isEmpty()) {
                long fd = addFd(id, hand, 0, Abi.SECCOMP_ADDFD_FLAG_SEND);
                if (fd >= 0) {
                    return new Outcome.Given(fd);
                }
                // EMFILE: a full fd table, what socket() itself would have answered.
                return fd == -Errno.ENOENT ? new Outcome.CallerGone() : instead(id, new Reply.Fail((int) -fd), (int) -fd);
            }
            CallerFd over = hand.over().get();
            if (fdInfos.inode(over.pid(), over.fd()) != over.socketInode()) {
                long sent = send(id, new Reply.Continue());
                return sent >= 0 ? new Outcome.FdChanged(over.fd()) : sent == -Errno.ENOENT ? new Outcome.CallerGone()
                        : new Outcome.Unanswered((int) -sent);
            }
            long r = addFd(id, hand, over.fd(), Abi.SECCOMP_ADDFD_FLAG_SETFD);
            if (r == -Errno.ENOENT) {
                return new Outcome.CallerGone();
            }
            if (r < 0) {
                // EBADF: the fd number is at or above the caller's RLIMIT_NOFILE (replace_fd);
                // the bind itself succeeds in the kernel on the program's own socket: let it.
                return instead(id, new Reply.Continue(), (int) -r);
            }
            long sent = send(id, new Reply.Return(0));
            return sent >= 0 ? new Outcome.Given(0) : sent == -Errno.ENOENT ? new Outcome.CallerGone()
                    : new Outcome.Unanswered((int) -sent);
        }

        /** {@code reply} in place of one that could not be given for {@code errno}. */
        private Outcome instead(long id, Reply reply, int errno) {
            long r = send(id, reply);
            return r >= 0 ? new Outcome.Instead(reply, errno) : r == -Errno.ENOENT ? new Outcome.CallerGone()
                    : new Outcome.Unanswered((int) -r);
        }

        /** SECCOMP_IOCTL_NOTIF_SEND: 0, or {@code -errno}. */
        private long send(long id, Reply reply) {
            long value = reply instanceof Reply.Return ret ? ret.value() : 0;
            int error = reply instanceof Reply.Fail fail ? -fail.errno() : 0;
            int flags = reply instanceof Reply.Continue ? (int) Abi.SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
            response.set(ValueLayout.JAVA_LONG, SeccompIoctl.RESP_ID, id);
            response.set(ValueLayout.JAVA_LONG, SeccompIoctl.RESP_VAL, value);
            response.set(ValueLayout.JAVA_INT, SeccompIoctl.RESP_ERROR, error);
            response.set(ValueLayout.JAVA_INT, SeccompIoctl.RESP_FLAGS, flags);
            return ioctl(SeccompIoctl.NOTIF_SEND, response.address());
        }

        /** SECCOMP_IOCTL_NOTIF_ADDFD: the fd number the caller got, or {@code -errno}. */
        private long addFd(long id, Reply.Hand hand, int targetFd, long flags) {
            addfd.set(ValueLayout.JAVA_LONG, SeccompIoctl.ADDFD_ID, id);
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_FLAGS, (int) flags);
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_SRCFD, hand.socketFd());
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_NEWFD, targetFd);
            // newfd_flags takes O_CLOEXEC and nothing else (kernel/seccomp.c, seccomp_notify_addfd).
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_NEWFD_FLAGS, hand.closeOnExec() ? Abi.O_CLOEXEC : 0);
            return ioctl(SeccompIoctl.NOTIF_ADDFD, addfd.address());
        }
    }

    /**
     * Whether this kernel can put an fd into a caller at all (SECCOMP_IOCTL_NOTIF_ADDFD, Linux
     * 5.9: a bind() is answered so). Asked with an fd that cannot exist, so that nothing happens:
     * a kernel that has the request checks its flags, then finds no such fd (EBADF) before it
     * looks for the notification; an older one refuses the unknown request with EINVAL
     * (kernel/seccomp.c, seccomp_notify_addfd and seccomp_notify_ioctl).
     */
    public boolean handsOver() {
        return addFdOfNoFd(0) != -Errno.EINVAL;
    }

    /**
     * Whether it can also hand over an fd and answer the call in one step
     * (SECCOMP_ADDFD_FLAG_SEND, Linux 5.14: a socket() is answered so), asked the same way: Linux
     * 5.9 to 5.13 refuse the unknown flag with EINVAL before they look at the fd.
     */
    public boolean handsOverInOneStep() {
        return addFdOfNoFd(Abi.SECCOMP_ADDFD_FLAG_SEND) != -Errno.EINVAL;
    }

    /** SECCOMP_IOCTL_NOTIF_ADDFD of fd -1 for notification 0 (zeroed struct): {@code -errno}. */
    private long addFdOfNoFd(long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addfd = arena.allocate(SeccompIoctl.ADDFD_SIZE, 8);
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_FLAGS, (int) flags);
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_SRCFD, -1);
            return ioctl(SeccompIoctl.NOTIF_ADDFD, addfd.address());
        }
    }

    private long ioctl(long request, long argument) {
        return Libc.syscall(Abi.__NR_ioctl, fd, request, argument);
    }

    /**
     * SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (Linux 6.6, set with SECCOMP_IOCTL_NOTIF_SET_FLAGS; the
     * value is the argument itself, kernel/seccomp.c, seccomp_notify_set_flags): the kernel wakes
     * the reader, and then the caller when it is answered, on the CPU that woke it, since the waker
     * is about to wait anyway (BENCHMARKS.md). Older kernels answer EINVAL; it is only an
     * optimisation, so any failure is ignored.
     */
    void askForSyncWakeUps() {
        long ignored = ioctl(SeccompIoctl.NOTIF_SET_FLAGS, SeccompIoctl.USER_NOTIF_FD_SYNC_WAKE_UP);
    }

    /** Closes the listener once: calls still trapped, and any made later, fail with ENOSYS. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Fds.close(fd, "seccomp listener");
        }
    }
}
