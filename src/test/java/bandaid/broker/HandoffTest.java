package bandaid.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The handoff's text: what one side writes the other reads back, and nothing else is taken. */
class HandoffTest {
    private static final Handoff FULL = new Handoff("0.1.0", "nginx", "address", List.of("web=*:8080", "api=/run/api.sock"), true,
            Optional.of(Duration.ofSeconds(30)), true, false, List.of("web", "api"));

    @Test
    void whatIsWrittenIsReadBack() {
        assertEquals(FULL, Handoff.decode(FULL.encode()));
        Handoff least = new Handoff("0.1.0", "x", "socket", List.of(), false, Optional.empty(), false, true, List.of("unknown"));
        assertEquals(least, Handoff.decode(least.encode()));
        assertEquals(4, FULL.fds());
    }

    @Test
    void anythingElseIsRefusedWithItsReason() {
        assertEquals("not bandaid-handoff 1 (it began \"bandaid-handoff 2\")",
                assertThrows(IllegalArgumentException.class, () -> decode("bandaid-handoff 2\nversion 9\n")).getMessage());
        assertEquals("the last line is cut", assertThrows(IllegalArgumentException.class,
                () -> decode(new String(FULL.encode(), StandardCharsets.UTF_8).stripTrailing())).getMessage());
        String good = new String(FULL.encode(), StandardCharsets.UTF_8);
        assertEquals("strict given twice", assertThrows(IllegalArgumentException.class, () -> decode(good + "strict 0\n")).getMessage());
        assertEquals("unknown key \"listener\"", assertThrows(IllegalArgumentException.class, () -> decode(good + "listener 3\n")).getMessage());
        assertEquals("match is not one of address, socket", assertThrows(IllegalArgumentException.class,
                () -> decode(good.replace("match address", "match everything"))).getMessage());
        assertEquals("exit-idle-ms is not a positive number", assertThrows(IllegalArgumentException.class,
                () -> decode(good.replace("exit-idle-ms 30000", "exit-idle-ms -1"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> decode(good.replace("journal 0\n", ""))).getMessage()
                .startsWith("a key is missing"));
        assertEquals("no passed socket is named", assertThrows(IllegalArgumentException.class,
                () -> decode(good.replace("name web\n", "").replace("name api\n", ""))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Handoff("0.1.0", "a\nversion 2", "address", List.of(), false,
                Optional.empty(), false, false, List.of("web")).encode());
    }

    /** Random bytes, and random cuts and flips of a good handoff: decoded or refused, never another exception. */
    @Test
    void randomBytesAreDecodedOrRefusedNeverElse() {
        Random random = new Random(27);
        byte[] good = FULL.encode();
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        int tried = 0;
        while (System.nanoTime() < deadline) {
            byte[] bytes;
            if (random.nextBoolean()) {
                bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
            } else {
                bytes = java.util.Arrays.copyOf(good, random.nextInt(good.length + 1));
                for (int flips = random.nextInt(4); flips > 0 && bytes.length > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
            }
            try {
                Handoff decoded = Handoff.decode(bytes);
                assertEquals(decoded, Handoff.decode(decoded.encode()), "what decodes encodes to itself");
            } catch (IllegalArgumentException refused) {
                assertTrue(!refused.getMessage().isEmpty());
            }
            tried++;
        }
        assertTrue(tried > 1000, "only " + tried + " tried");
    }

    private static Handoff decode(String text) {
        return Handoff.decode(text.getBytes(StandardCharsets.UTF_8));
    }
}
