package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** NativeBytes reads what a MemorySegment read in the native order would, at every offset. */
class NativeBytesTest {

    @Test
    void readsAsNativeMemoryDoes() {
        byte[] bytes = new byte[64];
        new Random(17).nextBytes(bytes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment segment = arena.allocate(bytes.length);
            MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
            for (int at = 0; at + 8 <= bytes.length; at++) {
                assertEquals(Short.toUnsignedInt(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, at)), NativeBytes.u16(bytes, at), "u16 @" + at);
                assertEquals(segment.get(ValueLayout.JAVA_INT_UNALIGNED, at), NativeBytes.s32(bytes, at), "s32 @" + at);
                assertEquals(segment.get(ValueLayout.JAVA_LONG_UNALIGNED, at), NativeBytes.s64(bytes, at), "s64 @" + at);
            }
        }
    }
}
