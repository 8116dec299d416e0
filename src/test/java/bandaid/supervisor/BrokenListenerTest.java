package bandaid.supervisor;

import static bandaid.service.RealProgram.say;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.matching.AddressMatcher;
import bandaid.matching.Decider;
import bandaid.nativeaccess.Processes;
import bandaid.service.CallReader;
import bandaid.service.CallerLook;
import bandaid.service.FdAccess;
import bandaid.service.Lines;
import bandaid.service.RealProgram.Passed;
import bandaid.service.RealProgram.Started;
import bandaid.service.RealProgram;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * When bandaid's seccomp listener breaks (only a bug of bandaid's could close it), bandaid says
 * why in one line, kills the program and exits 70 (SOFTWARE): never a program left running with
 * calls nobody answers.
 */
class BrokenListenerTest {
    @Test
    void theProgramIsKilledAndBandaidExitsSoftware() throws Exception {
        try (Passed passed = Passed.listening("web")) {
            // Says it is ready, binds the passed address once the test says "go", then would sleep.
            String script = "import socket, sys, time\n" + say("'ready'") + "\n"
                    + "while open(sys.argv[1]).read().count('\\n') < 2:\n time.sleep(0.01)\n"
                    + "s = socket.socket()\ntry:\n s.bind(('127.0.0.1', " + passed.port() + "))\nexcept OSError as e:\n pass\n"
                    + "time.sleep(60)\n";
            Started program = Started.python(script, RealProgram.bindOnly());
            Decider decider = new Decider(new AddressMatcher(List.of(passed.socket()), List.of()), false, List.of(passed.socket()));
            CallReader reader = new CallReader(program.listener(), decider, CallerLook.kernel(FdAccess.DUPLICATES), FdAccess.DUPLICATES,
                    CallReader.onVirtualThreads(), Lines.own());
            Thread breaker = Thread.ofPlatform().start(() -> {
                try {
                    program.awaitLines(1, Duration.ofSeconds(10));
                    program.listener().close();
                    java.nio.file.Files.writeString(program.said(), "go\n", java.nio.file.StandardOpenOption.APPEND);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            BandaidException e = assertThrows(BandaidException.class,
                    () -> Supervisor.supervise(program.launched(), Optional.of(reader), Optional.empty(), Optional.empty()));
            breaker.join();
            assertEquals(ExitCode.SOFTWARE, e.exitCode());
            assertEquals("answering the program's trapped calls failed: the seccomp listener was closed under the reader;"
                    + " the program was killed so that none of its calls hang", e.getMessage());
            // Killed, not left to sleep its minute (the reaper thread reaps it).
            while (Processes.name(program.pid()).isPresent() && System.nanoTime() - start < Duration.ofSeconds(10).toNanos()) {
                Thread.sleep(10);
            }
            assertFalse(Processes.name(program.pid()).isPresent(), "the program was left running");
        }
    }
}
