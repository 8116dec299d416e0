package bandaid.socket;

/**
 * A trapped caller's fd and the socket it held when bandaid looked at it, told by the socket's
 * inode (the {@code ino:} of /proc/PID/fdinfo/FD, the {@code socket:[INODE]} of /proc/PID/fd,
 * proc(5)): another thread of the program may close that fd or put another file on it (dup2(2))
 * at any moment, and the number alone would not tell.
 *
 * @param pid         the calling thread's id, in bandaid's pid namespace
 * @param fd          the fd number in the caller
 * @param socketInode the inode of the socket it held; {@link #UNKNOWN_SOCKET} when bandaid could
 *                    not tell, and then the fd is never replaced
 */
public record CallerFd(int pid, int fd, long socketInode) {
    /** No socket's inode: a fd said to hold it never does. */
    public static final long UNKNOWN_SOCKET = -1;
}
