package bandaid.matching;

import bandaid.socket.Family;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import java.util.Optional;

/** What a {@link FdMatcher} is asked about: a call, with what bandaid learnt of the caller. */
public sealed interface SocketCall {

    /** socket(family, type, protocol), {@code type} without SOCK_NONBLOCK / SOCK_CLOEXEC. */
    record Create(Family family, SocketType type, int protocol) implements SocketCall {
        @Override
        public String toString() {
            return "socket(" + family + ", " + type + (protocol == 0 ? "" : ", " + protocol) + ")";
        }
    }

    /**
     * bind(address) on the program's socket.
     *
     * @param socket the program's socket; empty where bandaid could not look
     * @param file   for a unix path: the file it names from the program's root and working
     *               directory; empty when there is none
     */
    record Bind(ListenAddress address, Optional<SocketKind> socket, Optional<FileId> file) implements SocketCall {
        public Bind(ListenAddress address, Optional<SocketKind> socket) {
            this(address, socket, Optional.empty());
        }

        public Bind(ListenAddress address) {
            this(address, Optional.empty(), Optional.empty());
        }

        @Override
        public String toString() {
            return "bind(" + address + ")";
        }
    }
}
