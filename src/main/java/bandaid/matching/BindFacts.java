package bandaid.matching;

import bandaid.socket.FdFlags;
import bandaid.socket.FileId;
import bandaid.socket.SocketKind;
import java.util.Optional;

/**
 * What bandaid found out about a candidate bind() beyond its registers and address.
 *
 * @param socket the program's socket on the fd; empty when the fd is not a socket, or bandaid
 *               could not look
 * @param flags  the fd's flags; empty when the fd is not open (any more)
 * @param file   for a unix path: the file it names from the program's root and working
 *               directory; empty when none exists
 */
public record BindFacts(Optional<SocketKind> socket, Optional<FdFlags> flags, Optional<FileId> file) {
}
