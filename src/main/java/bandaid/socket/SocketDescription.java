package bandaid.socket;

/**
 * One of bandaid's own sockets as the kernel describes it (getsockopt(2), getsockname(2),
 * fcntl(2)).
 *
 * @param listening   SO_ACCEPTCONN: false for a connection socket from an Accept=yes unit
 * @param nonBlocking O_NONBLOCK on the file description, which systemd shares with the program
 * @param v6Only      IPV6_V6ONLY (false for anything but AF_INET6): a dual-stack [::] socket has it off
 */
public record SocketDescription(Family family, SocketType type, int protocol, ListenAddress address,
                                boolean listening, boolean nonBlocking, boolean v6Only) {
}
