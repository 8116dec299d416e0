package bandaid.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The signals bandaid passes on and the signals its launcher starts the JVM with blocked are one
 * list: a signal forwarded but not blocked reaches the JVM instead of the signalfd, one blocked but
 * not forwarded is lost.
 */
class SignalListTest {
    @Test
    void theLauncherBlocksExactlyTheForwardedSignals() throws IOException {
        String launch = Files.readString(Path.of("scripts/lib/launch.sh"));
        Matcher m = Pattern.compile("--block-signal=([A-Z0-9,]+)").matcher(launch);
        assertTrue(m.find(), "scripts/lib/launch.sh starts the JVM with env --block-signal=...");
        List<String> blocked = Arrays.stream(m.group(1).split(",")).sorted().toList();
        assertEquals(SignalForwarder.FORWARDED.stream().sorted().toList(), blocked);
    }

    @Test
    void theProgramsDeathsThatBandaidRepeatsIncludeEveryForwardedSignalThatKillsQuietly() {
        // QUIT dumps core and WINCH is ignored by default: bandaid does not die by them.
        List<String> quiet = SignalForwarder.FORWARDED.stream().filter(s -> !s.equals("QUIT") && !s.equals("WINCH")).toList();
        assertTrue(Ending.PASSED_ON_DEATHS.containsAll(quiet), Ending.PASSED_ON_DEATHS + " lacks some of " + quiet);
    }
}
