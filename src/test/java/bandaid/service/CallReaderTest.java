package bandaid.service;

import static bandaid.service.RealProgram.say;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.matching.AddressMatcher;
import bandaid.matching.Decider;
import bandaid.matching.FdMatcher;
import bandaid.matching.SocketCall;
import bandaid.nativeaccess.HeldSockets;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.Signals;
import bandaid.service.RealProgram.Passed;
import bandaid.service.RealProgram.Started;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The path of a trapped call with parts of the test's own in it, on a real program under the real
 * filter: a failure while answering one call is that call's alone, a caller that goes away while
 * its call is looked at changes nothing for the next one, and a broken listener is told.
 */
class CallReaderTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);

    /** A python that binds 127.0.0.1:PORT on a socket of its own and says the errno or 0, then "alive". */
    private static String bindsThenSaysAlive(int port) {
        return "import socket, sys\ns = socket.socket()\ntry:\n s.bind(('127.0.0.1', " + port + "))\n r = 0\n"
                + "except OSError as e:\n r = e.errno\n" + say("r") + "\n" + say("'alive'") + "\n";
    }

    /** The address matcher, made to throw where {@code where} says. */
    private static FdMatcher throwing(List<PassedSocket> passed, String where) {
        FdMatcher real = new AddressMatcher(passed, List.of());
        return new FdMatcher() {
            @Override
            public Optional<PassedSocket> match(SocketCall call) {
                throw new IllegalStateException("matcher failed on purpose");
            }

            @Override
            public boolean couldMatch(ListenAddress address) {
                if (where.equals("first")) {
                    throw new IllegalStateException("matcher failed on purpose");
                }
                return real.couldMatch(address);
            }

            @Override
            public boolean needsSocketCalls() {
                return false;
            }

            @Override
            public String name() {
                return "throwing";
            }
        };
    }

    @ParameterizedTest(name = "failing in the decision {0}")
    @ValueSource(strings = {"first", "afterLook"})
    void aDecisionThatFailsContinuesThatCallAndTheProgramLivesOn(String where) throws Exception {
        try (Passed passed = Passed.listening("web")) {
            Decider decider = new Decider(throwing(List.of(passed.socket()), where), false, List.of(passed.socket()));
            Started program = Started.python(bindsThenSaysAlive(passed.port()), RealProgram.bindOnly());
            CallReader reader = new CallReader(program.listener(), decider, CallerLook.kernel(FdAccess.DUPLICATES), FdAccess.DUPLICATES,
                    CallReader.onVirtualThreads(), Lines.own());
            CompletableFuture<Throwable> broken = new CompletableFuture<>();
            reader.start(broken::complete);
            assertEquals(0, Processes.reap(program.pid()));
            // Continued: the kernel runs the bind, and the passed socket holds the port already.
            assertEquals(List.of("98", "alive"), program.lines());
            assertEquals(1, reader.received());
            assertFalse(broken.isDone(), "the listener is fine");
            program.listener().close();
        }
    }

    @Test
    void aCallerKilledWhileItsCallIsLookedAtChangesNothingForTheNextCall() throws Exception {
        try (Passed passed = Passed.listening("web")) {
            // The first look waits until the test has killed its caller; later ones do not wait.
            CountDownLatch firstLookStarted = new CountDownLatch(1);
            CountDownLatch callerKilled = new CountDownLatch(1);
            AtomicInteger looks = new AtomicInteger();
            CallerLook kernel = CallerLook.kernel(FdAccess.DUPLICATES);
            CallerLook slowFirst = call -> {
                if (looks.incrementAndGet() == 1) {
                    firstLookStarted.countDown();
                    await(callerKilled);
                }
                return kernel.at(call);
            };
            // A child binds the passed address (and is killed meanwhile); then the parent does.
            String script = "import os, socket, sys\nchild = os.fork()\nif child == 0:\n"
                    + " s = socket.socket()\n s.bind(('127.0.0.1', " + passed.port() + "))\n os._exit(0)\n"
                    + say("child") + "\nos.waitpid(child, 0)\ns = socket.socket()\ns.bind(('127.0.0.1', " + passed.port() + "))\n"
                    + say("os.fstat(s.fileno()).st_ino") + "\n";
            Started program = Started.python(script, RealProgram.bindOnly());
            Decider decider = new Decider(new AddressMatcher(List.of(passed.socket()), List.of()), false, List.of(passed.socket()));
            CallReader reader = new CallReader(program.listener(), decider, slowFirst, FdAccess.DUPLICATES,
                    CallReader.onVirtualThreads(), Lines.own());
            reader.start(t -> { });
            int child = Integer.parseInt(program.awaitLines(1, PATIENCE).getFirst());
            assertTrue(firstLookStarted.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the child's bind was looked at");
            Processes.kill(child, Signals.number("KILL"));
            // Dead and reaped before its look ends: the answer finds no caller waiting.
            while (Processes.name(child).isPresent()) {
                Thread.sleep(5);
            }
            callerKilled.countDown();
            assertEquals(0, Processes.reap(program.pid()));
            long passedInode = HeldSockets.ownInode(passed.socket().fd()).orElseThrow();
            assertEquals(List.of(Integer.toString(child), Long.toString(passedInode)), program.lines(),
                    "the parent's bind got the passed socket");
            assertEquals(2, reader.received());
            program.listener().close();
        }
    }

    @Test
    void aListenerClosedUnderTheReaderIsToldAndTheCallGetsEnosys() throws Exception {
        try (Passed passed = Passed.listening("web")) {
            // Waits for the test to write "go" into its file, then binds.
            String script = "import os, socket, sys, time\n" + say("'ready'") + "\n"
                    + "while open(sys.argv[1]).read().count('\\n') < 2:\n time.sleep(0.01)\n"
                    + "s = socket.socket()\ntry:\n s.bind(('127.0.0.1', " + passed.port() + "))\n r = 0\n"
                    + "except OSError as e:\n r = e.errno\n" + say("r") + "\n";
            Started program = Started.python(script, RealProgram.bindOnly());
            Decider decider = new Decider(new AddressMatcher(List.of(passed.socket()), List.of()), false, List.of(passed.socket()));
            CallReader reader = new CallReader(program.listener(), decider, CallerLook.kernel(FdAccess.DUPLICATES), FdAccess.DUPLICATES,
                    CallReader.onVirtualThreads(), Lines.own());
            CompletableFuture<Throwable> broken = new CompletableFuture<>();
            reader.start(broken::complete);
            program.awaitLines(1, PATIENCE);
            program.listener().close();
            java.nio.file.Files.writeString(program.said(), "go\n", java.nio.file.StandardOpenOption.APPEND);
            Throwable why = broken.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);
            assertInstanceOf(IllegalStateException.class, why);
            assertEquals("the seccomp listener was closed under the reader", why.getMessage());
            assertEquals(0, Processes.reap(program.pid()));
            // seccomp_unotify(2): with the listener gone, the call fails with ENOSYS.
            assertEquals(List.of("ready", "go", "38"), program.lines());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
