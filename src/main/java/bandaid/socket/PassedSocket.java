package bandaid.socket;

import java.util.Optional;

/**
 * A socket that systemd (or anything that speaks sd_listen_fds(3)) passed to bandaid.
 *
 * @param fd          the descriptor number bandaid holds it as: the passed fd itself (3, 4, ...),
 *                    or in the broker its own copy, which may be any number
 * @param name        its LISTEN_FDNAMES entry ("unknown" when none was given, as sd_listen_fds_with_names(3) does)
 * @param listening   SO_ACCEPTCONN: false for a connection socket from an Accept=yes unit
 * @param nonBlocking O_NONBLOCK on the file description, which systemd shares with the program
 * @param v6Only      IPV6_V6ONLY (false for anything but AF_INET6): a dual-stack [::] socket has it off
 * @param file        for a unix socket bound to a path: the socket file, as bandaid found it at start
 * @param passedAs    the fd it was passed as (LISTEN_FDS order: 3, 4, ...), how lines name it
 */
public record PassedSocket(int fd, String name, Family family, SocketType type, int protocol,
                           ListenAddress address, boolean listening, boolean nonBlocking, boolean v6Only,
                           Optional<FileId> file, int passedAs) {

    public PassedSocket(int fd, String name, Family family, SocketType type, int protocol,
                        ListenAddress address, boolean listening, boolean nonBlocking, boolean v6Only) {
        this(fd, name, family, type, protocol, address, listening, nonBlocking, v6Only, Optional.empty());
    }

    public PassedSocket(int fd, String name, Family family, SocketType type, int protocol,
                        ListenAddress address, boolean listening, boolean nonBlocking, boolean v6Only, Optional<FileId> file) {
        this(fd, name, family, type, protocol, address, listening, nonBlocking, v6Only, file, fd);
    }

    public PassedSocket(int fd, String name, SocketDescription d, Optional<FileId> file) {
        this(fd, name, d, file, fd);
    }

    public PassedSocket(int fd, String name, SocketDescription d, Optional<FileId> file, int passedAs) {
        this(fd, name, d.family(), d.type(), d.protocol(), d.address(), d.listening(), d.nonBlocking(), d.v6Only(), file, passedAs);
    }

    /**
     * How bandaid names the socket in its log lines, by the fd it was passed as (what the unit
     * and LISTEN_FDS say), whoever holds it: {@code fd 3 "web" (127.0.0.1:8080)}.
     */
    public String describe() {
        return "fd " + passedAs + " \"" + name + "\" (" + address + ")";
    }
}
