package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DurationsTest {
    @Test
    void readsSystemdTimeSpans() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse("30"));
        assertEquals(Optional.of(Duration.ofSeconds(30)), Durations.parse("30s"));
        assertEquals(Optional.of(Duration.ofMillis(500)), Durations.parse("500ms"));
        assertEquals(Optional.of(Duration.ofMinutes(5)), Durations.parse("5min"));
        assertEquals(Optional.of(Duration.ofMinutes(90)), Durations.parse("1h 30min"));
    }

    @Test
    void refusesTheRest() {
        for (String bad : List.of("", "0", "abc", "5 parsecs", "-3s", "1.5s")) {
            assertEquals(Optional.empty(), Durations.parse(bad), bad);
        }
    }
}
