package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.FdFlags;
import bandaid.socket.TrappedCall;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * What /proc/PID/fdinfo/FD says of a process's fd (proc(5)): its flags, and the inode of the
 * file it holds ({@code ino:}, Linux 5.14), which tells one socket from another. Read with
 * openat, read and close into memory allocated once per owner. A thread id works as well as a
 * process id.
 *
 * <p>fdinfo needs ptrace read access to the process (PTRACE_MODE_READ_FSCREDS), which
 * CAP_SYS_PTRACE gives for a non-dumpable process too: since Linux 5.14 the fdinfo directory is
 * open to all (mode 0555) and the kernel checks ptrace access itself. /proc/PID/fd would not do
 * there: a non-dumpable process's fd directory belongs to root, mode 0500 (proc(5)), and entering
 * it takes CAP_DAC_READ_SEARCH as well.
 */
final class FdInfos {
    private static final byte[] PROC = "/proc/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FDINFO = "/fdinfo/".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] FLAGS = "\nflags:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INO = "\nino:".getBytes(StandardCharsets.US_ASCII);
    /** "/proc/" + 10 digits + "/fdinfo/" + 10 digits + NUL. */
    private static final int PATH_SIZE = 40;
    /** pos, flags, mnt_id and ino come first, in about 60 bytes; what a file type adds after them is not read. */
    private static final int TEXT_SIZE = 160;

    private final MemorySegment path;
    private final MemorySegment text;
    private final byte[] pathBytes = new byte[PATH_SIZE];
    private final byte[] textBytes = new byte[TEXT_SIZE];

    FdInfos(Arena arena) {
        path = arena.allocate(PATH_SIZE);
        text = arena.allocate(TEXT_SIZE);
    }

    /**
     * @return empty when the fd is not open (any more), the process is gone, or its fdinfo cannot
     * be read
     * @throws SyscallException when bandaid may not read it (EACCES, EPERM: no ptrace access)
     */
    Optional<CallerSockets.FdState> of(int pid, int fd) {
        long length = read(pid, fd);
        if (length == -Errno.EACCES || length == -Errno.EPERM) {
            throw new SyscallException("open(/proc/" + pid + "/fdinfo/" + fd + ")", (int) -length);
        }
        if (length <= 0) {
            return Optional.empty();
        }
        long flags = number(length, FLAGS, 8);
        if (flags < 0) {
            return Optional.empty();
        }
        long inode = inodeIn(length, pid, fd);
        return Optional.of(new CallerSockets.FdState(new FdFlags((flags & Abi.O_CLOEXEC) != 0, (flags & Abi.O_NONBLOCK) != 0), inode));
    }

    /** The inode of the file on {@code fd} of {@code pid}; -1 when the fd is not open or its fdinfo cannot be read. */
    long inode(int pid, int fd) {
        long length = read(pid, fd);
        return length <= 0 ? -1 : inodeIn(length, pid, fd);
    }

    /** The inode fdinfo names; before Linux 5.14 it has no ino: line, and a socket's is read from its link. */
    private long inodeIn(long length, int pid, int fd) {
        long inode = number(length, INO, 10);
        return inode >= 0 ? inode : HeldSockets.linkedSocketInode(pid, fd);
    }

    /** Reads the fdinfo text into {@link #textBytes}: its length, or a negative errno. */
    private long read(int pid, int fd) {
        int at = put(PROC, 0);
        at = putNumber(pid, at);
        at = put(FDINFO, at);
        at = putNumber(fd, at);
        pathBytes[at] = 0;
        MemorySegment.copy(pathBytes, 0, path, ValueLayout.JAVA_BYTE, 0, at + 1);
        long file = Libc.syscall(Abi.__NR_openat, TrappedCall.Unlink.AT_FDCWD, path.address(), Abi.O_CLOEXEC, 0, 0, 0);
        if (file < 0) {
            return file;
        }
        // The first line is "pos:": the text is taken to start with a new line so that each
        // field is found by "\nNAME:".
        textBytes[0] = '\n';
        long length;
        try {
            length = Libc.syscall(Abi.__NR_read, file, text.address(), TEXT_SIZE - 1, 0, 0, 0);
        } finally {
            Libc.syscall(Abi.__NR_close, file, 0, 0);
        }
        if (length > 0) {
            MemorySegment.copy(text, ValueLayout.JAVA_BYTE, 0, textBytes, 1, (int) length);
            return length + 1;
        }
        return length;
    }

    /** The number after {@code field} (and white space) in base {@code radix}; -1 when absent. */
    private long number(long length, byte[] field, int radix) {
        outer:
        for (int i = 0; i + field.length <= length; i++) {
            for (int j = 0; j < field.length; j++) {
                if (textBytes[i + j] != field[j]) {
                    continue outer;
                }
            }
            int at = i + field.length;
            while (at < length && (textBytes[at] == '\t' || textBytes[at] == ' ')) {
                at++;
            }
            long value = 0;
            int digits = 0;
            for (; at < length && textBytes[at] >= '0' && textBytes[at] < '0' + radix; at++, digits++) {
                value = value * radix + (textBytes[at] - '0');
            }
            return digits > 0 ? value : -1;
        }
        return -1;
    }

    private int put(byte[] bytes, int at) {
        System.arraycopy(bytes, 0, pathBytes, at, bytes.length);
        return at + bytes.length;
    }

    /** A non-negative number's decimal digits. */
    private int putNumber(int number, int at) {
        int end = at + 1;
        for (int rest = number / 10; rest > 0; rest /= 10) {
            end++;
        }
        int rest = number;
        for (int i = end - 1; i >= at; i--) {
            pathBytes[i] = (byte) ('0' + rest % 10);
            rest /= 10;
        }
        return end;
    }
}
