package bandaid.service;

import static bandaid.service.RealProgram.say;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.matching.AddressMatcher;
import bandaid.matching.CallerFacts;
import bandaid.matching.Decider;
import bandaid.nativeaccess.Processes;
import bandaid.service.RealProgram.Passed;
import bandaid.service.RealProgram.Started;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A thread of the program closes the fd another thread is binding to a passed address, or puts
 * another file on it with dup2(2), after bandaid looked at the fd and before it answers: the
 * passed socket must not replace what the program put there (ADDFD with SETFD replaces whatever
 * the fd holds, as dup2 does), and the bind gets the kernel's own answer, as without bandaid.
 * The look is the real one, held until the program has changed the fd, so the moment is certain.
 * (issue 23, item 7)
 */
class FdChangedMidBindTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // what the other thread does to fd N;  bind's errno;  what N holds afterwards
        "'os.dup2(r, n)',                        88, pipe",
        "os.close(n),                            9,  closed",
        "os.close(n); os.dup(r),                 88, pipe",
    })
    void aFdChangedAfterTheLookKeepsWhatTheProgramPutThere(String change, int errno, String holds) throws Exception {
        try (Passed passed = Passed.listening("web")) {
            // One thread binds; the main thread waits for the test's "go", changes the fd, says
            // "changed", and reports the bind's errno and what the fd holds.
            String script = "import os, socket, sys, threading, time\nr, w = os.pipe()\ns = socket.socket()\nn = s.fileno()\n"
                    + "result = []\ndef bind():\n try:\n  s.bind(('127.0.0.1', " + passed.port() + "))\n  result.append(0)\n"
                    + " except OSError as e:\n  result.append(e.errno)\nt = threading.Thread(target=bind)\nt.start()\n"
                    + "while 'go' not in open(sys.argv[1]).read():\n time.sleep(0.005)\n" + change + "\n" + say("'changed'") + "\n"
                    + "t.join()\n" + say("result[0]") + "\n"
                    + "try:\n held = 'pipe' if os.fstat(n).st_ino == os.fstat(r).st_ino else 'something else'\n"
                    + "except OSError:\n held = 'closed'\n" + say("held") + "\n";
            Started program = Started.python(script, RealProgram.bindOnly());
            CallerLook kernel = CallerLook.kernel(FdAccess.DUPLICATES);
            CallerLook changedAfterTheLook = call -> {
                CallerFacts facts = kernel.at(call);
                try {
                    Files.writeString(program.said(), "go\n", StandardOpenOption.APPEND);
                    program.awaitLines(2, PATIENCE);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return facts;
            };
            Decider decider = new Decider(new AddressMatcher(List.of(passed.socket()), List.of()), false, List.of(passed.socket()));
            CallReader reader = new CallReader(program.listener(), decider, changedAfterTheLook, FdAccess.DUPLICATES,
                    CallReader.onVirtualThreads(), Lines.own());
            reader.start(t -> { });
            assertEquals(0, Processes.reap(program.pid()));
            assertEquals(List.of("go", "changed", Integer.toString(errno), holds), program.lines());
            assertTrue(reader.received() >= 1);
            program.listener().close();
        }
    }
}
