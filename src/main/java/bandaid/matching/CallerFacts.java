package bandaid.matching;

import bandaid.socket.FdFlags;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketKind;
import java.util.Optional;

/**
 * What a closer look found out about a candidate call beyond its registers and memory.
 *
 * @param socket the program's socket on the fd; empty when the fd is not a socket, bandaid could
 *               not look, or the call has no fd
 * @param flags  the fd's flags; empty when the fd is not open (any more), or the call has no fd
 * @param file   for a unix path: the file it names from the program's root and working
 *               directory; empty when none exists
 * @param local  for a listen(): the socket's own address (getsockname(2)); empty when bandaid
 *               cannot ask it (no pidfd_getfd), or for other calls
 */
public record CallerFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file, Optional<ListenAddress> local) {
    /** Facts of a call whose socket's own address does not matter (all but listen()). */
    public CallerFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file) {
        this(socket, flags, file, Optional.empty());
    }

    /** What a look at a path alone finds: its file. */
    public static CallerFacts ofFile(Optional<FileId> file) {
        return new CallerFacts(Optional.empty(), Optional.empty(), file);
    }
}
