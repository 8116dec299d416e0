package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketType;
import bandaid.socket.TrappedCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The seccomp listener fd (seccomp_unotify(2)): receives trapped calls and answers them. It owns
 * the fd and closes it exactly once. Answers may come from any thread; receiving is done through
 * one {@link Receiver}, on the reader thread.
 *
 * <p>Every answer reports ENOENT as "the caller went away" (it was killed, or a signal interrupted
 * its call): not an error (seccomp_unotify(2), NOTES). Any other errno means the answer itself
 * was wrong, and is thrown as a {@link SyscallException} for the one call it belongs to.
 */
public final class SeccompListener implements AutoCloseable {
    /** struct pollfd: int fd; short events; short revents. */
    private static final int POLLFD_SIZE = 8;

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

    public Receiver receiver() {
        return new Receiver();
    }

    /**
     * Receives and decodes notifications on the thread that made it. Its buffers are allocated
     * once; the notification buffer is sized by SECCOMP_GET_NOTIF_SIZES, not by the header's
     * struct, since a newer kernel may hand out a larger struct seccomp_notif.
     */
    public final class Receiver implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment notif = arena.allocate(Math.max(sizes.notif(), SeccompIoctl.NOTIF_SIZE), 8);
        /** The fields bandaid reads of each notification, copied out of {@link #notif} in one step (NativeBytes). */
        private final byte[] received = new byte[SeccompIoctl.NOTIF_SIZE];
        private final MemorySegment poll = arena.allocate(POLLFD_SIZE, 8);
        /** The answer "continue", written once: each call changes only its id. */
        private final MemorySegment continuation = arena.allocate(Math.max(sizes.response(), SeccompIoctl.RESP_SIZE), 8);
        private final CallerMemory memory = new CallerMemory();

        private Receiver() {
            poll.set(ValueLayout.JAVA_INT, 0, fd);
            poll.set(ValueLayout.JAVA_SHORT, 4, (short) Abi.POLLIN);
            // a newer kernel's larger struct: what this one does not know stays 0
            continuation.fill((byte) 0);
            continuation.set(ValueLayout.JAVA_INT, SeccompIoctl.RESP_FLAGS, (int) Abi.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
        }

        /**
         * Waits for the next trapped call and decodes it, reading the caller's memory once.
         *
         * <p>It waits in NOTIF_RECV itself, not in a poll(2) before it: one system call per
         * trapped call instead of two (scripts/bench part 2: ~2 µs of ~20). A kernel with
         * "seccomp: interrupt SECCOMP_IOCTL_NOTIF_RECV when all users have exited" (2024) ends
         * that wait with ENOENT once no process is left under the filter, and poll(2) then tells
         * that end (POLLHUP) from a caller that went away. An older kernel leaves the reader
         * waiting; nothing waits for the reader, since bandaid's exit follows the program's
         * processes (Supervisor). A close() from another thread does not end a wait in progress
         * either (the ioctl holds the file), but the next trapped call does, and is refused here.
         *
         * @return empty once no process is left under the filter (kernel/seccomp.c,
         * seccomp_notify_poll: POLLHUP)
         * @throws IllegalStateException when the listener was closed: no call can be answered
         *                               any more, and the program's calls would hang or fail
         * @throws SyscallException      when receiving itself fails
         */
        public Optional<Notification> next() {
            while (true) {
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

        /** Whether the filter has no tasks left and no call waits: poll(2) without waiting. */
        private boolean noneLeft() {
            long ready = Libc.syscall(Abi.__NR_poll, poll.address(), 1, 0);
            if (ready == -Errno.EINTR) {
                return false; // a signal: NOTIF_RECV again, which will tell
            }
            Libc.check("poll(seccomp listener)", ready);
            short revents = poll.get(ValueLayout.JAVA_SHORT, 6);
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

        private Notification decode() {
            MemorySegment.copy(notif, ValueLayout.JAVA_BYTE, 0, received, 0, received.length);
            long id = NativeBytes.s64(received, SeccompIoctl.NOTIF_ID);
            int pid = NativeBytes.s32(received, SeccompIoctl.NOTIF_PID);
            int nr = NativeBytes.s32(received, SeccompIoctl.NOTIF_DATA + BpfProgram.NR_OFFSET);
            long a0 = arg(0);
            long a1 = arg(1);
            long a2 = arg(2);
            TrappedCall call;
            if (nr == Abi.__NR_socket) {
                int type = (int) a1;
                call = new TrappedCall.Socket(pid, Family.of((int) a0), SocketType.of(type), (int) a2,
                        (type & Abi.SOCK_NONBLOCK) != 0, (type & Abi.SOCK_CLOEXEC) != 0);
            } else if (nr == Abi.__NR_bind) {
                // socklen_t is unsigned; the kernel refuses more than sizeof(sockaddr_storage)
                // with EINVAL (net/socket.c, move_addr_to_kernel): such an address is no match.
                long length = a2 & 0xffffffffL;
                Optional<ListenAddress> address = length > Sockaddrs.MAX_LENGTH ? Optional.empty()
                        : memory.readSockaddr(pid, a1, length);
                return new Notification(id, new TrappedCall.Bind(pid, (int) a0, address),
                        address.isEmpty() && length <= Sockaddrs.MAX_LENGTH ? memory.lastError() : 0);
            } else if (nr == Abi.__NR_unlink) {
                call = unlink(pid, TrappedCall.Unlink.AT_FDCWD, a0, false);
            } else if (nr == Abi.__NR_unlinkat) {
                call = unlink(pid, (int) a0, a1, (a2 & Abi.AT_REMOVEDIR) != 0);
            } else {
                call = new TrappedCall.Other(pid, nr);
            }
            return new Notification(id, call, 0);
        }

        private TrappedCall unlink(int pid, int dirfd, long pathAddress, boolean removesDir) {
            Optional<ListenAddress.Unix> path = removesDir ? Optional.empty()
                    : memory.readPath(pid, pathAddress).map(p -> new ListenAddress.Unix(p, false));
            return new TrappedCall.Unlink(pid, dirfd, path, removesDir);
        }

        private long arg(int index) {
            return NativeBytes.s64(received, SeccompIoctl.NOTIF_DATA + BpfProgram.ARGS_OFFSET + 8 * index);
        }

        /** {@link SeccompListener#continueCall} in this receiver's memory: nothing allocated per call. */
        public boolean continueCall(long id) {
            continuation.set(ValueLayout.JAVA_LONG, SeccompIoctl.RESP_ID, id);
            return sent(ioctl(SeccompIoctl.NOTIF_SEND, continuation.address()));
        }

        @Override
        public void close() {
            memory.close();
            arena.close();
        }
    }

    /** SECCOMP_IOCTL_NOTIF_ID_VALID: is the caller still waiting in this very call? */
    public boolean isWaiting(long id) {
        try (Arena arena = Arena.ofConfined()) {
            long r = ioctl(SeccompIoctl.NOTIF_ID_VALID, arena.allocateFrom(ValueLayout.JAVA_LONG, id).address());
            return r != -Errno.ENOENT && Libc.check("ioctl(SECCOMP_IOCTL_NOTIF_ID_VALID)", r) == 0;
        }
    }

    /** Lets the call run in the kernel as the program made it (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
    public boolean continueCall(long id) {
        return send(id, 0, 0, (int) Abi.SECCOMP_USER_NOTIF_FLAG_CONTINUE);
    }

    /** Makes the call return {@code value} without running it. */
    public boolean returnValue(long id, long value) {
        return send(id, value, 0, 0);
    }

    /** Makes the call fail with {@code errno} without running it. */
    public boolean fail(long id, int errno) {
        return send(id, 0, -errno, 0);
    }

    /** @return false when the caller went away */
    private boolean send(long id, long value, int error, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment resp = arena.allocate(Math.max(sizes.response(), SeccompIoctl.RESP_SIZE), 8);
            resp.fill((byte) 0); // a newer kernel's larger struct: what this one does not know stays 0
            resp.set(ValueLayout.JAVA_LONG, SeccompIoctl.RESP_ID, id);
            resp.set(ValueLayout.JAVA_LONG, SeccompIoctl.RESP_VAL, value);
            resp.set(ValueLayout.JAVA_INT, SeccompIoctl.RESP_ERROR, error);
            resp.set(ValueLayout.JAVA_INT, SeccompIoctl.RESP_FLAGS, flags);
            return sent(ioctl(SeccompIoctl.NOTIF_SEND, resp.address()));
        }
    }

    /** @return false when the caller went away (ENOENT) */
    private static boolean sent(long result) {
        return result != -Errno.ENOENT && Libc.check("ioctl(SECCOMP_IOCTL_NOTIF_SEND)", result) == 0;
    }

    /**
     * Puts a duplicate of our {@code sourceFd} into the caller and makes it the call's return
     * value in one step (SECCOMP_ADDFD_FLAG_SEND, 5.14): atomic, so a signal cannot leave the fd
     * injected but the call restarted (seccomp_unotify(2)).
     *
     * @return the fd number the caller got, or {@code -errno}: ENOENT when the caller went away,
     * EMFILE when its fd table is full (what socket() itself would have said)
     */
    public long injectAsResult(long id, int sourceFd, boolean closeOnExec) {
        return addFd(id, sourceFd, 0, closeOnExec, Abi.SECCOMP_ADDFD_FLAG_SEND);
    }

    /**
     * Puts a duplicate of our {@code sourceFd} at the caller's fd number {@code targetFd},
     * replacing what was there the way dup2(2) does (SECCOMP_ADDFD_FLAG_SETFD). The call itself
     * still waits for an answer.
     *
     * @return {@code targetFd}, or {@code -errno}: ENOENT when the caller went away, EBADF when
     * the fd number is at or above the caller's RLIMIT_NOFILE
     */
    public long injectAt(long id, int sourceFd, int targetFd, boolean closeOnExec) {
        return addFd(id, sourceFd, targetFd, closeOnExec, Abi.SECCOMP_ADDFD_FLAG_SETFD);
    }

    private long addFd(long id, int sourceFd, int targetFd, boolean closeOnExec, long flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addfd = arena.allocate(SeccompIoctl.ADDFD_SIZE, 8);
            addfd.set(ValueLayout.JAVA_LONG, SeccompIoctl.ADDFD_ID, id);
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_FLAGS, (int) flags);
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_SRCFD, sourceFd);
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_NEWFD, targetFd);
            // newfd_flags takes O_CLOEXEC and nothing else (kernel/seccomp.c, seccomp_notify_addfd).
            addfd.set(ValueLayout.JAVA_INT, SeccompIoctl.ADDFD_NEWFD_FLAGS, closeOnExec ? Abi.O_CLOEXEC : 0);
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
     * is about to wait anyway. scripts/bench measured about 6 of 26 µs less per trapped call on a
     * busy 2-core machine. Older kernels answer EINVAL; it is only an optimisation, so any failure
     * is ignored.
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
