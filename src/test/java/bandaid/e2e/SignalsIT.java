package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Signals sent to bandaid reach the program; bandaid exits with the program's status. */
class SignalsIT {
    private static final String LOGGER = Bandaid.ROOT.resolve("src/test/resources/signal-logger.py").toString();

    @Test
    void forwardsEachSignalAndExitsWithTheProgramsStatus() throws Exception {
        // exec all the way down: the pid we start is bandaid's.
        Process bandaid = Bandaid.process(List.of("bash", "-c", "exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- " + LOGGER))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(bandaid.getInputStream()))) {
            assertEquals("ready", out.readLine());
            for (String signal : List.of("HUP", "INT", "QUIT", "USR1", "USR2", "WINCH", "TERM")) {
                kill(signal, bandaid.pid());
                assertEquals("got " + signal, out.readLine(), "after kill -" + signal);
            }
            assertEquals(true, bandaid.waitFor(10, TimeUnit.SECONDS));
            assertEquals(3, bandaid.exitValue());
        } finally {
            bandaid.descendants().forEach(ProcessHandle::destroyForcibly);
            bandaid.destroyForcibly();
        }
    }

    @Test
    void programKilledBySignalGives128PlusN() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- sh -c 'kill -KILL $$'");
        assertEquals(128 + 9, run.exitCode(), run.stderr());
        assertEquals(List.of(), run.bandaidLines());
    }

    @Test
    void programsOwnStatusPassesThrough() throws Exception {
        assertEquals(42, Bandaid.shell("exec \"$BANDAID\" -- sh -c 'exit 42'").exitCode());
    }

    /**
     * Ctrl-C in a terminal reaches every process of the foreground process group, the program
     * included: bandaid must not pass it on as well, or the program would get it twice.
     */
    @Test
    void ctrlCInATerminalReachesTheProgramOnce() throws Exception {
        String inTerminal = Bandaid.ROOT.resolve("src/test/resources/programs/in-terminal.py").toString();
        Bandaid.Run run = Bandaid.shell("exec " + Bandaid.PYTHON + " " + inTerminal + " " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- "
                + Bandaid.PYTHON + " " + LOGGER);
        assertEquals(0, run.exitCode(), run.stderr());
        // (The terminal echoes the Ctrl-C as "^C" in front of the program's line.)
        assertEquals(List.of("got INT"), run.stdout().lines().map(l -> l.replace("^C", "")).filter(l -> l.startsWith("got")).toList(),
                run.stdout());
    }

    private static void kill(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(pid)).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }
}
