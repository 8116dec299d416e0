package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * Writes entries to the journal in its native protocol (systemd-journald.service(8): one datagram
 * of {@code FIELD=value} lines to /run/systemd/journal/socket), never waiting: a journal that is
 * behind loses the entry rather than hold up the writer (MSG_DONTWAIT). A process running as root
 * may name another process with OBJECT_PID=: journald adds that one's unit as
 * OBJECT_SYSTEMD_UNIT=, and {@code journalctl -u UNIT} shows the entry with the unit's own.
 */
public final class JournalSocket implements AutoCloseable {
    private static final byte[] PATH = "/run/systemd/journal/socket".getBytes(StandardCharsets.US_ASCII);

    private final int fd;

    private JournalSocket(int fd) {
        this.fd = fd;
    }

    public static JournalSocket open() {
        return new JournalSocket((int) Libc.check("socket(AF_UNIX, SOCK_DGRAM)",
                Libc.syscall(Abi.__NR_socket, Family.UNIX.number(), SocketType.DGRAM.number() | Abi.SOCK_CLOEXEC, 0)));
    }

    /**
     * Sends one entry, its fields as {@code FIELD=value} lines (values without a newline).
     *
     * @return false when the journal did not take it (not running, behind, refused)
     */
    public boolean send(String fields) {
        byte[] bytes = fields.getBytes(StandardCharsets.UTF_8);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment addr = arena.allocate(Sockaddrs.UN_PATH + PATH.length + 1L, 8);
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) Family.UNIX.number());
            MemorySegment.copy(PATH, 0, addr, ValueLayout.JAVA_BYTE, Sockaddrs.UN_PATH, PATH.length);
            MemorySegment data = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, data, ValueLayout.JAVA_BYTE, 0, bytes.length);
            long r;
            do {
                r = Libc.syscall(Abi.__NR_sendto, fd, data.address(), bytes.length, Abi.MSG_DONTWAIT | Abi.MSG_NOSIGNAL,
                        addr.address(), addr.byteSize());
            } while (r == -Errno.EINTR);
            return r >= 0;
        }
    }

    @Override
    public void close() {
        Fds.close(fd, "journal socket");
    }
}
