package bandaid.supervisor;

import bandaid.matching.BindFacts;
import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.FileIds;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.TrappedCall;
import java.util.Optional;

/**
 * The closer look a candidate call needs beyond its registers and address: the caller's socket
 * and fd flags, and the file a unix path names from the caller's point of view. Every failure
 * (the caller or its fd gone, a thread of it closing the fd meanwhile) is an empty fact for this
 * one call, never an error.
 */
interface CallerLook {

    BindFacts bind(TrappedCall.Bind call);

    /** The file {@code path} names for the caller, relative to its {@code dirfd} when not absolute. */
    Optional<FileId> file(int pid, int dirfd, ListenAddress.Unix path);

    /**
     * The real look: pidfd_getfd(2) or the socket's protocol name, /proc/PID/fdinfo, and stat(2)
     * through /proc/PID.
     *
     * @param byDuplicate whether pidfd_getfd may be used ({@link FdAccess})
     */
    static CallerLook kernel(boolean byDuplicate) {
        return new CallerLook() {
            @Override
            public BindFacts bind(TrappedCall.Bind call) {
                ListenAddress address = call.address().orElseThrow();
                return new BindFacts(CallerSockets.kind(call.pid(), call.fd(), byDuplicate), CallerSockets.flags(call.pid(), call.fd()),
                        address instanceof ListenAddress.Unix u && u.isPath()
                                ? file(call.pid(), TrappedCall.Unlink.AT_FDCWD, u) : Optional.empty());
            }

            @Override
            public Optional<FileId> file(int pid, int dirfd, ListenAddress.Unix path) {
                return FileIds.of(pid, dirfd, path.name());
            }
        };
    }
}
