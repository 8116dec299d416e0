package bandaid.nativeaccess;

import bandaid.activation.ListenAddress;
import bandaid.bindings.Linux;
import bandaid.bindings.iovec;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Optional;

/**
 * Reads a trapped caller's memory with process_vm_readv(2): one system call, no /proc file to
 * open. It needs ptrace access to the caller (PTRACE_MODE_ATTACH_REALCREDS), which bandaid has
 * over the program it started as long as Yama allows it (see README, limitations). Every read is
 * bounded; memory that cannot be read makes the call continue, never a crash.
 */
public final class CallerMemory {
    /** PATH_MAX (limits.h): the longest path a caller can pass. */
    private static final int PATH_MAX = Linux.PATH_MAX();
    private static final long PAGE = 4096;

    private CallerMemory() {
    }

    /**
     * Reads the struct sockaddr a bind(2) caller passed.
     *
     * @param length the caller's addrlen, capped at sizeof(struct sockaddr_storage)
     * @return empty when the memory cannot be read (bad pointer, caller gone, no permission):
     * the caller then gets the kernel's own answer to its call
     */
    public static Optional<ListenAddress> readSockaddr(int pid, long address, long length) {
        try (Libc.CallState state = new Libc.CallState()) {
            return readSockaddr(pid, address, length, new SockaddrBuffer(state.arena), state);
        }
    }

    /**
     * The memory one {@link #readSockaddr} takes, for a thread that reads many addresses (the
     * notification reader): allocated once, reused for each call.
     */
    static final class SockaddrBuffer {
        private final MemorySegment buffer;
        private final MemorySegment local;
        private final MemorySegment remote;

        SockaddrBuffer(Arena arena) {
            buffer = arena.allocate(Sockaddrs.MAX_LENGTH, 8);
            local = iovec.allocate(arena);
            remote = iovec.allocate(arena);
        }
    }

    /** {@link #readSockaddr(int, long, long)} in memory of the caller's. */
    static Optional<ListenAddress> readSockaddr(int pid, long address, long length, SockaddrBuffer memory, Libc.CallState state) {
        if (length <= 0 || address == 0) {
            return Optional.empty();
        }
        long read = read(state, pid, address, memory.buffer, Math.min(length, Sockaddrs.MAX_LENGTH), memory.local, memory.remote);
        return read < 0 ? Optional.empty() : Sockaddrs.decode(memory.buffer, read);
    }

    /**
     * Reads a NUL-terminated path (unlink(2), unlinkat(2)), at most PATH_MAX bytes. It reads up
     * to the end of a page at a time, since the bytes after a short path may be unmapped.
     *
     * @return empty when unreadable or longer than PATH_MAX (the kernel says ENAMETOOLONG then)
     */
    public static Optional<String> readPath(int pid, long address) {
        if (address == 0) {
            return Optional.empty();
        }
        try (Libc.CallState state = new Libc.CallState()) {
            MemorySegment buffer = state.arena.allocate(PATH_MAX);
            MemorySegment local = iovec.allocate(state.arena);
            MemorySegment remote = iovec.allocate(state.arena);
            long have = 0;
            while (have < PATH_MAX) {
                long chunk = Math.min(PATH_MAX - have, PAGE - ((address + have) % PAGE));
                long read = read(state, pid, address + have, buffer.asSlice(have), chunk, local, remote);
                if (read <= 0) {
                    return Optional.empty();
                }
                for (long i = have; i < have + read; i++) {
                    if (buffer.get(ValueLayout.JAVA_BYTE, i) == 0) {
                        return Optional.of(buffer.getString(0));
                    }
                }
                have += read;
            }
            return Optional.empty();
        }
    }

    /**
     * One process_vm_readv(2) of {@code length} bytes at {@code address} into {@code into},
     * through the two iovecs given: bytes read, or -1.
     */
    private static long read(Libc.CallState state, int pid, long address, MemorySegment into, long length,
                             MemorySegment local, MemorySegment remote) {
        iovec.iov_base(local, into);
        iovec.iov_len(local, length);
        iovec.iov_base(remote, MemorySegment.ofAddress(address));
        iovec.iov_len(remote, length);
        try {
            return (long) Libc.ProcessVmReadv.HANDLE.invokeExact(state.errno, pid, local, 1L, remote, 1L, 0L);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
