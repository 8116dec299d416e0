package bandaid.matching;

import bandaid.activation.Family;
import bandaid.activation.ListenAddress;
import bandaid.activation.SocketType;
import java.util.Optional;

/** A trapped call, decoded: what the program asked the kernel for. */
public sealed interface SocketCall {

    /** The calling thread's id (in bandaid's pid namespace). */
    int pid();

    /** socket(family, type, protocol). {@code type} is without SOCK_NONBLOCK / SOCK_CLOEXEC. */
    record Create(int pid, Family family, SocketType type, int protocol) implements SocketCall {
        @Override
        public String toString() {
            return "socket(" + family + ", " + type + (protocol == 0 ? "" : ", " + protocol) + ")";
        }
    }

    /**
     * bind(fd, address).
     *
     * @param socket the program's socket on {@code fd}; empty where bandaid could not look
     */
    record Bind(int pid, int fd, ListenAddress address, Optional<SocketKind> socket) implements SocketCall {
        public Bind(int pid, int fd, ListenAddress address) {
            this(pid, fd, address, Optional.empty());
        }

        @Override
        public String toString() {
            return "bind(" + address + ")";
        }
    }
}
