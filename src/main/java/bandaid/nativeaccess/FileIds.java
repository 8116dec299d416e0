package bandaid.nativeaccess;

import bandaid.socket.FileId;
import bandaid.socket.TrappedCall;
import java.io.ByteArrayOutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Which file a path names, as a program sees it. The path is taken as bytes (it need not be
 * UTF-8, and the JVM would decode it with the locale's charset) and looked up through
 * /proc/PID/root, /proc/PID/cwd or /proc/PID/fd/DIRFD, which the kernel resolves in that
 * process's own root and working directory (proc(5)). The last component is not followed:
 * unlink(2) removes a symlink, not what it points to.
 */
public final class FileIds {
    /** struct stat's size and the offsets of st_dev and st_ino (x86-64; AbiNumbersTest). */
    static final int STAT_SIZE = 144;
    static final int ST_DEV = 0;
    static final int ST_INO = 8;
    static final int ST_MODE = 24;

    private FileIds() {
    }

    /**
     * The file {@code path} names for process {@code pid}, relative to its directory fd
     * {@code dirfd} ({@code AT_FDCWD}: its working directory) when not absolute.
     *
     * @return empty when there is no such file (or the process is gone)
     */
    public static Optional<FileId> of(int pid, int dirfd, byte[] path) {
        ByteArrayOutputStream full = new ByteArrayOutputStream();
        String base = "/proc/" + pid + (path.length > 0 && path[0] == '/' ? "/root"
                : dirfd == TrappedCall.Unlink.AT_FDCWD ? "/cwd/" : "/fd/" + dirfd + "/");
        full.writeBytes(base.getBytes(StandardCharsets.US_ASCII));
        full.writeBytes(path);
        return of(full.toByteArray());
    }

    /** The file bandaid's own {@code fd} is open on (what /proc/self/fd/FD links to). */
    public static Optional<FileId> ofOwnFd(int fd) {
        return stat(("/proc/self/fd/" + fd).getBytes(StandardCharsets.US_ASCII), 0);
    }

    /** Whether bandaid's own {@code fd} is a pipe, a FIFO or a character device (a terminal): what a write may wait on. */
    public static boolean isPipeOrDevice(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocateFrom("/proc/self/fd/" + fd);
            MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            long r = Libc.syscall(Abi.__NR_newfstatat, TrappedCall.Unlink.AT_FDCWD, name.address(), stat.address(), 0, 0, 0);
            int type = stat.get(ValueLayout.JAVA_INT, ST_MODE) & Abi.S_IFMT;
            return r == 0 && (type == Abi.S_IFIFO || type == Abi.S_IFCHR);
        }
    }

    /** The file {@code path} names for bandaid itself. */
    public static Optional<FileId> of(byte[] path) {
        return stat(path, Abi.AT_SYMLINK_NOFOLLOW);
    }

    private static Optional<FileId> stat(byte[] path, int flags) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment name = arena.allocate(path.length + 1L);
            name.copyFrom(MemorySegment.ofArray(path));
            MemorySegment stat = arena.allocate(STAT_SIZE, 8);
            long r = Libc.syscall(Abi.__NR_newfstatat, TrappedCall.Unlink.AT_FDCWD, name.address(), stat.address(), flags, 0, 0);
            return r < 0 ? Optional.empty()
                    : Optional.of(new FileId(stat.get(ValueLayout.JAVA_LONG, ST_DEV), stat.get(ValueLayout.JAVA_LONG, ST_INO)));
        }
    }
}
