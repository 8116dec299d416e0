package bandaid.nativeaccess;

import bandaid.socket.Errno;
import bandaid.socket.ListenAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Optional;

/**
 * Reads a trapped caller's memory with process_vm_readv(2): one system call, no /proc file to
 * open. It needs ptrace access to the caller (PTRACE_MODE_ATTACH_REALCREDS), which bandaid has
 * over the program it started as long as Yama allows it (README, limitations). Every read is
 * bounded. One instance per reading thread: its buffers are allocated once, not per call.
 */
public final class CallerMemory implements AutoCloseable {
    /** PATH_MAX (limits.h): the longest path a caller can pass. */
    private static final int PATH_MAX = Abi.PATH_MAX;
    private static final long PAGE = 4096;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment buffer = arena.allocate(PATH_MAX, 8);
    private final MemorySegment local = arena.allocate(Structs.IOVEC_SIZE, 8);
    private final MemorySegment remote = arena.allocate(Structs.IOVEC_SIZE, 8);
    /**
     * What was read, copied out of {@link #buffer} in one step and taken apart here: reading it
     * field by field from native memory goes through a VarHandle each time (see Sockaddrs).
     */
    private final byte[] bytes = new byte[PATH_MAX];
    /** The errno of the last read that failed: why an address could not be read. */
    private int lastError;

    /** For the reader thread's receiver (SeccompListener.Receiver). */
    CallerMemory() {
    }

    /**
     * The struct sockaddr a bind(2) caller passed, {@code length} bytes (capped at
     * sizeof(struct sockaddr_storage)).
     *
     * @return empty when it cannot be read (bad pointer, caller gone, no permission: see
     * {@link #lastError}) or is too short for its family: the kernel then answers the call
     */
    Optional<ListenAddress> readSockaddr(int pid, long address, long length) {
        if (length <= 0 || address == 0) {
            lastError = Errno.EFAULT;
            return Optional.empty();
        }
        long read = read(pid, address, 0, Math.min(length, Sockaddrs.MAX_LENGTH));
        return read < 0 ? Optional.empty() : Sockaddrs.decode(bytes, (int) read);
    }

    /**
     * Reads a NUL-terminated path (unlink(2), unlinkat(2)), at most PATH_MAX bytes, as bytes. It
     * reads up to the end of a page at a time, since the bytes after a short path may be unmapped.
     *
     * @return empty when unreadable or longer than PATH_MAX (the kernel says ENAMETOOLONG then)
     */
    Optional<byte[]> readPath(int pid, long address) {
        if (address == 0) {
            lastError = Errno.EFAULT;
            return Optional.empty();
        }
        long have = 0;
        while (have < PATH_MAX) {
            long chunk = Math.min(PATH_MAX - have, PAGE - ((address + have) % PAGE));
            long read = read(pid, address + have, have, chunk);
            if (read <= 0) {
                return Optional.empty();
            }
            for (int i = (int) have; i < have + read; i++) {
                if (bytes[i] == 0) {
                    return Optional.of(Arrays.copyOf(bytes, i));
                }
            }
            have += read;
        }
        return Optional.empty();
    }

    /**
     * {@code count} 32-bit words at {@code address}: the arguments of an i386 socketcall(2),
     * which its caller passes in memory.
     *
     * @return empty when they cannot be read (see {@link #lastError})
     */
    Optional<int[]> readWords(int pid, long address, int count) {
        if (address == 0) {
            lastError = Errno.EFAULT;
            return Optional.empty();
        }
        long read = read(pid, address, 0, 4L * count);
        if (read != 4L * count) {
            lastError = read < 0 ? lastError : Errno.EFAULT;
            return Optional.empty();
        }
        int[] words = new int[count];
        for (int i = 0; i < count; i++) {
            words[i] = NativeBytes.s32(bytes, 4 * i);
        }
        return Optional.of(words);
    }

    /** The errno of the last read that failed. */
    int lastError() {
        return lastError;
    }

    /**
     * One process_vm_readv(2) of {@code length} bytes at {@code address} into the buffer at
     * {@code offset}, and what it read into {@link #bytes} at the same offset.
     */
    private long read(int pid, long address, long offset, long length) {
        Structs.iovec(local, 0, buffer.address() + offset, length);
        Structs.iovec(remote, 0, address, length);
        long r = Libc.syscall(Abi.__NR_process_vm_readv, pid, local.address(), 1, remote.address(), 1, 0);
        lastError = r < 0 ? (int) -r : 0;
        if (r >= 0) {
            MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, bytes, (int) offset, (int) r);
        }
        return r;
    }

    /**
     * Whether this process may use process_vm_readv(2) at all: a sandbox's seccomp profile can
     * refuse it (EPERM, ENOSYS), and then no address could ever be read. Asked of bandaid's own
     * memory, which Yama never restricts.
     */
    public static Optional<SyscallException> refusedHere() {
        try (CallerMemory self = new CallerMemory()) {
            self.buffer.set(ValueLayout.JAVA_LONG, PATH_MAX - 8, 42);
            long r = self.read(Processes.ownPid(), self.buffer.address() + PATH_MAX - 8, 0, 8);
            return r < 0 ? Optional.of(new SyscallException("process_vm_readv", (int) -r)) : Optional.empty();
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
