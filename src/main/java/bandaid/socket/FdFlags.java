package bandaid.socket;

/**
 * The flags of a program's fd that bandaid carries over when a passed socket replaces it:
 * close-on-exec belongs to the fd, O_NONBLOCK to the file description (fcntl(2)).
 */
public record FdFlags(boolean closeOnExec, boolean nonBlocking) {
}
