package bandaid.nativeaccess;

import bandaid.activation.ListenAddress;
import bandaid.bindings.Linux;
import bandaid.bindings.pollfd;
import bandaid.bindings.seccomp_data;
import bandaid.bindings.seccomp_notif;
import bandaid.bindings.seccomp_notif_addfd;
import bandaid.bindings.seccomp_notif_resp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The seccomp listener fd (seccomp_unotify(2)): receives trapped calls and answers them. It owns
 * the fd and closes it exactly once. Answers may come from any thread; receiving is done through
 * one {@link Receiver} per receiving thread.
 *
 * <p>Every answer returns false (or empty) when the kernel says ENOENT: the caller went away (it
 * was killed, or a signal interrupted its call) — not an error (seccomp_unotify(2), NOTES).
 */
public final class NotificationListener implements AutoCloseable {
    /** How often an idle reader checks that the listener is still open. */
    private static final int POLL_TIMEOUT_MS = 250;
    private final int fd;
    private final SeccompFilter.NotificationSizes sizes;
    private final AtomicBoolean closed = new AtomicBoolean();

    NotificationListener(int fd, SeccompFilter.NotificationSizes sizes) {
        this.fd = fd;
        this.sizes = sizes;
    }

    public int fd() {
        return fd;
    }

    public Receiver receiver() {
        return new Receiver();
    }

    /**
     * Receives notifications on the thread that made it. Its buffer is sized by
     * SECCOMP_GET_NOTIF_SIZES, not by the generated struct, since a newer kernel may hand out a
     * larger struct seccomp_notif than the headers knew.
     */
    public final class Receiver implements AutoCloseable {
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment notif = arena.allocate(Math.max(sizes.notif(), seccomp_notif.sizeof()), 8);
        private final MemorySegment poll = pollfd.allocate(arena);
        private final Libc.CallState state = new Libc.CallState();
        private final long[] args = new long[6];
        // For the calls the reader answers itself (NotificationReader): no memory allocated per call.
        private final CallerMemory.SockaddrBuffer sockaddr = new CallerMemory.SockaddrBuffer(arena);
        private final MemorySegment response = arena.allocate(Math.max(sizes.response(), seccomp_notif_resp.sizeof()), 8);

        /**
         * Waits for the next trapped call.
         *
         * @return empty once no process is left under the filter (poll(2) reports POLLHUP: the
         * filter has no tasks left, kernel/seccomp.c, seccomp_notify_poll)
         * @throws IllegalStateException when the listener was closed: no call can be answered
         *                               any more, and the program's calls would hang or fail
         */
        public Optional<Notification> next() {
            while (true) {
                pollfd.fd(poll, fd);
                pollfd.events(poll, (short) Linux.POLLIN());
                pollfd.revents(poll, (short) 0);
                // A close() from another thread does not wake a poll(2) in progress: wake up now
                // and then to notice it (and the kernel's POLLNVAL for a closed fd).
                int ready = call(() -> (int) Libc.Poll.HANDLE.invokeExact(state.errno, poll, 1L, POLL_TIMEOUT_MS));
                if (ready < 0) {
                    if (state.errno() == Errno.EINTR) {
                        continue;
                    }
                    throw state.failure("poll(seccomp listener)");
                }
                short revents = pollfd.revents(poll);
                if (closed.get() || (revents & Linux.POLLNVAL()) != 0) {
                    throw new IllegalStateException("the seccomp listener was closed under the reader");
                }
                if (ready == 0) {
                    continue;
                }
                if ((revents & Linux.POLLIN()) == 0) {
                    if ((revents & (Linux.POLLHUP() | Linux.POLLERR())) != 0) {
                        return Optional.empty();
                    }
                    throw new IllegalStateException("poll(seccomp listener) returned events 0x" + Integer.toHexString(revents));
                }
                // NOTIF_RECV fails with EINVAL unless the buffer is zeroed (seccomp_notify_recv).
                notif.fill((byte) 0);
                int r = ioctl(state, SeccompIoctl.NOTIF_RECV, notif);
                if (r < 0) {
                    int errno = state.errno();
                    // ENOENT: the caller went away between poll and receive (crun #526); EINTR: a signal.
                    if (errno == Errno.ENOENT || errno == Errno.EINTR) {
                        continue;
                    }
                    throw state.failure("ioctl(" + SeccompIoctl.name(SeccompIoctl.NOTIF_RECV) + ")");
                }
                return Optional.of(decode());
            }
        }

        private Notification decode() {
            MemorySegment data = seccomp_notif.data(notif);
            int nr = seccomp_data.nr(data);
            for (int i = 0; i < args.length; i++) {
                args[i] = seccomp_data.args(data, i);
            }
            Notification.TrappedCall call = nr == Linux.__NR_socket() ? Notification.TrappedCall.SOCKET
                    : nr == Linux.__NR_bind() ? Notification.TrappedCall.BIND
                    : nr == Linux.__NR_unlink() ? Notification.TrappedCall.UNLINK
                    : nr == Linux.__NR_unlinkat() ? Notification.TrappedCall.UNLINKAT
                    : Notification.TrappedCall.OTHER;
            return new Notification(seccomp_notif.id(notif), seccomp_notif.pid(notif), call, args);
        }

        /** {@link CallerMemory#readSockaddr} in this receiver's memory; on its thread only. */
        public Optional<ListenAddress> readSockaddr(int pid, long address, long length) {
            return CallerMemory.readSockaddr(pid, address, length, sockaddr, state);
        }

        /** {@link NotificationListener#continueCall} in this receiver's memory; on its thread only. */
        public boolean continueCall(long id) {
            return send(state, response, id, 0, 0, (int) Linux.SECCOMP_USER_NOTIF_FLAG_CONTINUE());
        }

        @Override
        public void close() {
            state.close();
            arena.close();
        }
    }

    /** SECCOMP_IOCTL_NOTIF_ID_VALID: is the caller still waiting in this very call? */
    public boolean isWaiting(long id) {
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment cookie = state.arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_LONG, id);
            if (ioctl(state, SeccompIoctl.NOTIF_ID_VALID, cookie) == 0) {
                return true;
            }
            if (state.errno() == Errno.ENOENT) {
                return false;
            }
            throw state.failure("ioctl(" + SeccompIoctl.name(SeccompIoctl.NOTIF_ID_VALID) + ")");
        }
    }

    /** Lets the call run in the kernel as the program made it (SECCOMP_USER_NOTIF_FLAG_CONTINUE). */
    public boolean continueCall(long id) {
        return send(id, 0, 0, (int) Linux.SECCOMP_USER_NOTIF_FLAG_CONTINUE());
    }

    /** Makes the call return {@code value} without running it. */
    public boolean returnValue(long id, long value) {
        return send(id, value, 0, 0);
    }

    /** Makes the call fail with {@code errno} without running it. */
    public boolean fail(long id, int errno) {
        return send(id, 0, -errno, 0);
    }

    private boolean send(long id, long value, int error, int flags) {
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment resp = state.arena.allocate(Math.max(sizes.response(), seccomp_notif_resp.sizeof()), 8);
            return send(state, resp, id, value, error, flags);
        }
    }

    private boolean send(Libc.CallState state, MemorySegment resp, long id, long value, int error, int flags) {
        resp.fill((byte) 0); // a newer kernel's larger struct: what this one does not know stays 0
        seccomp_notif_resp.id(resp, id);
        seccomp_notif_resp.val(resp, value);
        seccomp_notif_resp.error(resp, error);
        seccomp_notif_resp.flags(resp, flags);
        if (ioctl(state, SeccompIoctl.NOTIF_SEND, resp) == 0) {
            return true;
        }
        if (state.errno() == Errno.ENOENT) {
            return false;
        }
        throw state.failure("ioctl(" + SeccompIoctl.name(SeccompIoctl.NOTIF_SEND) + ")");
    }

    /**
     * Puts a duplicate of our {@code sourceFd} into the caller and makes it the call's return
     * value in one step (SECCOMP_ADDFD_FLAG_SEND, 5.14): atomic, so a signal cannot leave the fd
     * injected but the call restarted (seccomp_unotify(2)).
     *
     * @return the fd number the caller got, or empty if the caller went away
     */
    public OptionalInt injectAsResult(long id, int sourceFd, boolean closeOnExec) {
        int r = addFd(id, sourceFd, 0, closeOnExec, Linux.SECCOMP_ADDFD_FLAG_SEND());
        return r < 0 ? OptionalInt.empty() : OptionalInt.of(r);
    }

    /**
     * Puts a duplicate of our {@code sourceFd} at the caller's fd number {@code targetFd},
     * replacing what was there the way dup2(2) does (SECCOMP_ADDFD_FLAG_SETFD). The call itself
     * still waits for an answer.
     */
    public boolean injectAt(long id, int sourceFd, int targetFd, boolean closeOnExec) {
        return addFd(id, sourceFd, targetFd, closeOnExec, Linux.SECCOMP_ADDFD_FLAG_SETFD()) >= 0;
    }

    private int addFd(long id, int sourceFd, int targetFd, boolean closeOnExec, long flags) {
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment addfd = seccomp_notif_addfd.allocate(state.arena);
            seccomp_notif_addfd.id(addfd, id);
            seccomp_notif_addfd.flags(addfd, (int) flags);
            seccomp_notif_addfd.srcfd(addfd, sourceFd);
            seccomp_notif_addfd.newfd(addfd, targetFd);
            // newfd_flags takes O_CLOEXEC and nothing else (kernel/seccomp.c, seccomp_notify_addfd).
            seccomp_notif_addfd.newfd_flags(addfd, closeOnExec ? Linux.O_CLOEXEC() : 0);
            int r = ioctl(state, SeccompIoctl.NOTIF_ADDFD, addfd);
            if (r >= 0) {
                return r;
            }
            if (state.errno() == Errno.ENOENT) {
                return -1;
            }
            throw state.failure("ioctl(" + SeccompIoctl.name(SeccompIoctl.NOTIF_ADDFD) + ")");
        }
    }

    private int ioctl(Libc.CallState state, long request, MemorySegment argument) {
        return call(() -> (int) Libc.Ioctl.HANDLE.invokeExact(state.errno, fd, request, argument));
    }

    /** Closes the listener once: calls still trapped, and any made later, fail with ENOSYS. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Descriptors.close(fd, "seccomp listener");
        }
    }

    @FunctionalInterface
    interface IntCall {
        int call() throws Throwable;
    }

    static int call(IntCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
