package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The program gets the limits bandaid was started with, in both modes: the JVM would raise the
 * soft RLIMIT_NOFILE to the hard one (systemd keeps the soft one at 1024 for programs that use
 * select(2)), and the program would inherit that.
 */
class RlimitsIT {
    private static final String SHOW = " -- sh -c 'ulimit -Sn; ulimit -Hn'";

    @Test
    void theProgramGetsTheCallersOpenFilesLimitInWrapperMode() throws Exception {
        Bandaid.assumeItPicksTheModeItself();
        Bandaid.Run run = Bandaid.shell("exec prlimit --nofile=1024:4096 " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" --no-broker"
                + SHOW);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals(List.of("1024", "4096"), run.stdout().lines().toList(), run.stderr());
    }

    @Test
    void theProgramGetsTheCallersOpenFilesLimitInBrokerMode() throws Exception {
        Bandaid.assumeItPicksTheModeItself();
        try (LocalBroker broker = LocalBroker.start()) {
            Bandaid.Run run = Bandaid.shell("exec prlimit --nofile=1024:4096 " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" "
                    + broker.option() + SHOW);
            assertEquals(0, run.exitCode(), run.stderr() + broker.log());
            assertEquals(List.of("1024", "4096"), run.stdout().lines().toList(), run.stderr());
        }
    }
}
