package bandaid.nativeaccess;

/**
 * Reads C integers out of a Java copy of native memory, in the native byte order: little-endian,
 * since bandaid's filter is x86-64 only. A struct the kernel filled in is copied into a byte[]
 * with one MemorySegment.copy and taken apart here: read field by field from the MemorySegment,
 * each access goes through a VarHandle, slow while the reader still runs interpreted, its first
 * few hundred trapped calls (BENCHMARKS.md, "Where the figures stand": scripts/bench part 2, cold).
 */
final class NativeBytes {
    private NativeBytes() {
    }

    /** An unsigned 16-bit integer at {@code at}. */
    static int u16(byte[] bytes, int at) {
        return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8;
    }

    /** A 32-bit integer at {@code at}. */
    static int s32(byte[] bytes, int at) {
        return u16(bytes, at) | u16(bytes, at + 2) << 16;
    }

    /** A 64-bit integer at {@code at}. */
    static long s64(byte[] bytes, int at) {
        return (s32(bytes, at) & 0xffffffffL) | (long) s32(bytes, at + 4) << 32;
    }
}
