package bandaid.service;

import bandaid.matching.CallerFacts;
import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.FileIds;
import bandaid.nativeaccess.SyscallException;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketKind;
import bandaid.socket.TrappedCall;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The closer look a candidate call needs beyond its registers and memory: the caller's socket and
 * fd flags, the file a unix path names from the caller's point of view, and for a listen() the
 * socket's own address. Every failure (the caller or its fd gone, a thread of it closing the fd
 * meanwhile) is an empty fact for this one call, never an error; the kernel refusing bandaid the
 * look at the fd (EACCES, EPERM) is a fact of its own ({@link CallerFacts#unseen}), so that the
 * reader can say why and what fixes it. An interface, so that a test can make a look slow or
 * failing.
 */
public interface CallerLook {

    CallerFacts at(TrappedCall call);

    /**
     * The real look: the fd's flags and file (/proc/PID/fdinfo), then pidfd_getfd(2) or the
     * socket's protocol name, and stat(2) through /proc/PID.
     *
     * @param access whether pidfd_getfd may be used
     */
    static CallerLook kernel(FdAccess access) {
        boolean byDuplicate = access.byDuplicate();
        return call -> {
            if (call instanceof TrappedCall.Bind b) {
                ListenAddress address = b.address().orElseThrow();
                Optional<FileId> file = address instanceof ListenAddress.Unix u && u.isPath()
                        ? FileIds.of(b.pid(), TrappedCall.Unlink.AT_FDCWD, u.name()) : Optional.empty();
                try {
                    // Which file first, then its kind: if another thread puts another file on the fd
                    // in between, the answer sees that the fd no longer holds this inode.
                    Optional<CallerSockets.FdState> state = CallerSockets.state(b.pid(), b.fd());
                    Optional<SocketKind> kind = state.isEmpty() ? Optional.empty() : CallerSockets.kind(b.pid(), b.fd(), byDuplicate);
                    return new CallerFacts(kind, state.map(CallerSockets.FdState::flags), file, Optional.empty(),
                            state.map(st -> OptionalLong.of(st.inode())).orElse(OptionalLong.empty()));
                } catch (SyscallException refused) {
                    return CallerFacts.unseen(unseen(refused), file);
                }
            }
            if (call instanceof TrappedCall.Connect c) {
                ListenAddress address = c.address().orElseThrow();
                Optional<FileId> file = address instanceof ListenAddress.Unix u && u.isPath()
                        ? FileIds.of(c.pid(), TrappedCall.Unlink.AT_FDCWD, u.name()) : Optional.empty();
                try {
                    return new CallerFacts(CallerSockets.kind(c.pid(), c.fd(), byDuplicate), Optional.empty(), file);
                } catch (SyscallException refused) {
                    return CallerFacts.unseen(unseen(refused), file);
                }
            }
            if (call instanceof TrappedCall.Listen l && byDuplicate) {
                // Without pidfd_getfd no address can be asked of the caller's socket: nothing to tell.
                try {
                    return CallerSockets.description(l.pid(), l.fd()).map(d -> new CallerFacts(Optional.of(new SocketKind(d.family(),
                            d.type(), d.v6Only())), Optional.empty(), Optional.empty(), Optional.of(d.address())))
                            .orElseGet(() -> new CallerFacts(Optional.empty(), Optional.empty(), Optional.empty()));
                } catch (SyscallException refused) {
                    return CallerFacts.unseen(unseen(refused), Optional.empty());
                }
            }
            if (call instanceof TrappedCall.Unlink u && u.path().isPresent()) {
                return CallerFacts.ofFile(FileIds.of(u.pid(), u.dirfd(), u.path().get().name()));
            }
            return new CallerFacts(Optional.empty(), Optional.empty(), Optional.empty(), OptionalLong.empty());
        };
    }

    private static CallerFacts.Unseen unseen(SyscallException refused) {
        return new CallerFacts.Unseen(refused.call(), refused.errno());
    }
}
