package bandaid.matching;

import bandaid.socket.Errno;
import bandaid.socket.FdFlags;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketKind;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a closer look found out about a candidate call beyond its registers and memory.
 *
 * @param socket the program's socket on the fd; empty when the fd is not a socket, bandaid could
 *               not look, or the call has no fd
 * @param flags  the fd's flags; empty when the fd is not open (any more), or the call has no fd
 * @param file   for a unix path: the file it names from the program's root and working directory
 * @param local  for a listen(): the socket's own address (getsockname(2)), when bandaid can ask it
 * @param socketInode for a bind(): the socket's inode, looked at first; a passed socket replaces
 *               the fd only while it still holds this one (never when unknown)
 * @param unseen  why the kernel refused bandaid any look at the caller's fd (socket and flags empty)
 */
public record CallerFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file, Optional<ListenAddress> local,
                          OptionalLong socketInode, Optional<Unseen> unseen) {
    /**
     * The kernel refused bandaid a look at the caller's fd.
     *
     * @param call  the refused call as strace names it, {@code getxattr(/proc/12/fd/3, system.sockprotoname)}
     * @param errno what it answered (EACCES, EPERM)
     */
    public record Unseen(String call, int errno) {
        @Override
        public String toString() {
            return call + ": " + Errno.describe(errno);
        }
    }

    /** Facts of a look that found what it could. */
    public CallerFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file, Optional<ListenAddress> local,
                       OptionalLong socketInode) {
        this(socket, flags, file, local, socketInode, Optional.empty());
    }

    /** Facts of a call whose socket's own address and identity do not matter. */
    public CallerFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file) {
        this(socket, flags, file, Optional.empty(), OptionalLong.empty());
    }

    /** Facts of a listen(). */
    public CallerFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file, Optional<ListenAddress> local) {
        this(socket, flags, file, local, OptionalLong.empty());
    }

    /** Facts of a bind(). */
    public CallerFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file, OptionalLong socketInode) {
        this(socket, flags, file, Optional.empty(), socketInode);
    }

    /** What a look finds when the kernel refuses it the caller's fd; a unix path's file is still looked at. */
    public static CallerFacts unseen(Unseen unseen, Optional<FileId> file) {
        return new CallerFacts(Optional.empty(), Optional.empty(), file, Optional.empty(), OptionalLong.empty(), Optional.of(unseen));
    }

    /** What a look at a path alone finds: its file. */
    public static CallerFacts ofFile(Optional<FileId> file) {
        return new CallerFacts(Optional.empty(), Optional.empty(), file);
    }
}
