package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Options with a value out of range, or with no value before {@code --}, get one line and
 * USAGE, never a stack trace or "internal error". (issue 12, items 14 and 15)
 */
class BadOptionsIT {

    @ParameterizedTest
    @ValueSource(strings = {"--exit-idle-time=99999999999999999999", "--exit-idle-time 99999999999999999999",
            "--exit-idle-time=99999999999999999999s", "--exit-idle-time=9223372036854775807min"})
    void anIdleTimeTooLargeIsAUsageError(String option) throws Exception {
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" " + option + " -- true");
        String line = ExitStatus.assertOneLine(run, ExitStatus.USAGE);
        assertTrue(line.contains("--exit-idle-time"), line);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--match", "--map", "--exit-idle-time"})
    void anOptionWithoutItsValueIsAUsageError(String option) throws Exception {
        for (String script : new String[] {"exec \"$BANDAID\" " + option + " -- true",
                "exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" " + option + " -- true",
                "exec \"$BANDAID\" -v " + option}) {
            Bandaid.Run run = Bandaid.shell(script);
            String line = ExitStatus.assertOneLine(run, ExitStatus.USAGE);
            assertTrue(line.contains(option), script + ": " + line);
        }
    }
}
