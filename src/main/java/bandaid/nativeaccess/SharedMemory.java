package bandaid.nativeaccess;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * A small file in memory (memfd_create(2)) mapped shared into bandaid (mmap(2), MAP_SHARED): what
 * bandaid writes there stays with the file, not with the process, so a service manager that keeps
 * the fd (systemd's fd store) keeps it across a restart of bandaid. Writes are plain memory stores,
 * no system call. Opened close-on-exec. One owner unmaps and closes it.
 */
public final class SharedMemory implements AutoCloseable {
    private final int fd;
    private final MemorySegment mapping;

    private SharedMemory(int fd, MemorySegment mapping) {
        this.fd = fd;
        this.mapping = mapping;
    }

    /** A new file of {@code size} bytes, all zero, named {@code name} (shown in /proc/PID/fd as memfd:NAME). */
    public static SharedMemory create(String name, long size) {
        int fd;
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            MemorySegment cName = arena.allocateFrom(name, StandardCharsets.UTF_8);
            fd = (int) Libc.check("memfd_create(" + name + ")", Libc.syscall(Abi.__NR_memfd_create, cName.address(), Abi.MFD_CLOEXEC, 0));
        }
        try {
            Libc.check("ftruncate(memfd)", Libc.syscall(Abi.__NR_ftruncate, fd, size, 0));
            return new SharedMemory(fd, map(fd, size));
        } catch (RuntimeException e) {
            Fds.close(fd, "memfd");
            throw e;
        }
    }

    /**
     * The file {@code fd} of {@code size} bytes, mapped again (after a restart: the fd came back
     * from the service manager). This object owns {@code fd} from now on.
     *
     * @throws SyscallException when it cannot be mapped (not a file of that size, or not one at all)
     */
    public static SharedMemory of(int fd, long size) {
        return new SharedMemory(fd, map(fd, size));
    }

    private static MemorySegment map(int fd, long size) {
        long address = Libc.syscall(Abi.__NR_mmap, 0, size, Abi.PROT_READ | Abi.PROT_WRITE, Abi.MAP_SHARED, fd, 0);
        Libc.check("mmap(memfd)", address);
        return MemorySegment.ofAddress(address).reinterpret(size);
    }

    public int fd() {
        return fd;
    }

    public long size() {
        return mapping.byteSize();
    }

    public void write(long at, byte[] bytes) {
        MemorySegment.copy(bytes, 0, mapping, ValueLayout.JAVA_BYTE, at, bytes.length);
    }

    public byte[] read(long at, int length) {
        byte[] bytes = new byte[length];
        MemorySegment.copy(mapping, ValueLayout.JAVA_BYTE, at, bytes, 0, length);
        return bytes;
    }

    public void putLong(long at, long value) {
        mapping.set(ValueLayout.JAVA_LONG_UNALIGNED, at, value);
    }

    public long getLong(long at) {
        return mapping.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
    }

    public void putByte(long at, byte value) {
        mapping.set(ValueLayout.JAVA_BYTE, at, value);
    }

    public byte getByte(long at) {
        return mapping.get(ValueLayout.JAVA_BYTE, at);
    }

    /**
     * A part of the file, {@code length} bytes at {@code at}, where the native layer may write
     * directly: a reader's notification buffer (SeccompListener.Receiver), which then outlives
     * the reader's process.
     */
    public Slot slot(long at, long length) {
        return new Slot(mapping.asSlice(at, length));
    }

    /** A part of a {@link SharedMemory}, only the native layer looks into. */
    public static final class Slot {
        private final MemorySegment segment;

        private Slot(MemorySegment segment) {
            this.segment = segment;
        }

        MemorySegment segment() {
            return segment;
        }

        public long size() {
            return segment.byteSize();
        }
    }

    @Override
    public void close() {
        Libc.syscall(Abi.__NR_munmap, mapping.address(), mapping.byteSize(), 0);
        Fds.close(fd, "memfd");
    }
}
