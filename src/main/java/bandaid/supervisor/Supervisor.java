package bandaid.supervisor;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.PassedSockets;
import bandaid.matching.Decider;
import bandaid.nativeaccess.CallerMemory;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.SyscallException;
import bandaid.nativeaccess.TrapPlan;
import bandaid.service.CallReader;
import bandaid.service.Request;
import bandaid.service.Setup;
import bandaid.service.CallerLook;
import bandaid.service.FdAccess;
import bandaid.service.IdleWatch;
import bandaid.service.KernelInspector;
import bandaid.service.Lines;
import bandaid.service.Log;
import bandaid.service.ProgramLauncher.Launched;
import bandaid.service.ProgramLauncher;
import bandaid.socket.Bytes;
import bandaid.socket.PassedSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs one program on the passed sockets and returns the status bandaid should exit with. */
public final class Supervisor {
    /**
     * How long a program stopped for being idle has after SIGTERM before SIGKILL, as systemd's
     * stop escalates after TimeoutStopSec= (README, --exit-idle-time).
     */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private Supervisor() {
    }

    /**
     * The story of one run, top to bottom.
     *
     * @return the program's exit status, 128+N when signal N killed it (as a shell reports it);
     * 0 when bandaid stopped it for being idle
     */
    public static int run(Request request) throws BandaidException {
        if (!request.listen().activated()) {
            Log.info("{}: running {} without socket activation", request.listen().nothingPassed(), Bytes.printable(request.program().getFirst()));
            Processes.becomeSubreaper();
            Optional<NotifyRelay> relay = NotifyRelay.open(request.environment());
            return supervise(ProgramLauncher.launch(request.program(), programEnvironment(request, relay),
                    TrapPlan.bindOnly(false)), Optional.empty(), Optional.empty(), relay);
        }
        List<PassedSocket> passed = PassedSockets.inspect(request.listen(), KernelInspector::inspect);
        passed.forEach(p -> Log.debug("Received {} {} {}", p.describe(), p.family(), p.type()));
        Setup setup = Setup.of(passed, request.match(), request.maps(), request.strict(), request.exitIdle());
        refuseWhatCannotWork();
        FdAccess access = FdAccess.here();
        Optional<IdleWatch> idle = request.exitIdle().map(limit -> new IdleWatch(passed, limit, access));
        Processes.becomeSubreaper();
        Optional<NotifyRelay> relay = NotifyRelay.open(request.environment());
        Launched launched = ProgramLauncher.launch(request.program(), programEnvironment(request, relay), setup.plan());
        Decider decider = setup.decider(request.strict());
        return supervise(launched, launched.listener().map(listener ->
                new CallReader(listener, decider, CallerLook.kernel(access), access, CallReader.onVirtualThreads(), Lines.own())), idle, relay);
    }

    /**
     * Checked before the program starts: without process_vm_readv(2) no bind() address could be
     * read, and every bind would run unserved (a sandbox's profile can block it).
     */
    private static void refuseWhatCannotWork() throws BandaidException {
        Optional<SyscallException> refused = CallerMemory.refusedHere();
        if (refused.isPresent()) {
            throw new BandaidException(ExitCode.NOPERM, refused.get().getMessage()
                    + ": bandaid reads the program's bind() addresses with it; allow process_vm_readv in the seccomp profile"
                    + " or SystemCallFilter= bandaid runs under");
        }
    }

    /** The program's environment; with the relay, systemd's notify variables are the relay's. */
    static List<byte[]> programEnvironment(Request request, Optional<NotifyRelay> relay) {
        List<byte[]> environment = new ArrayList<>(request.programEnvironment(relay.isPresent() ? NotifyRelay.SYSTEMD_VARIABLES : List.of()));
        relay.ifPresent(r -> r.programVariables().forEach(v -> environment.add(v.getBytes(StandardCharsets.UTF_8))));
        return environment;
    }

    /**
     * Answers the program's calls, forwards signals and stops it when idle, until none of its
     * processes is left.
     */
    static int supervise(Launched launched, Optional<CallReader> reader, Optional<IdleWatch> idle, Optional<NotifyRelay> relay)
            throws BandaidException {
        int pid = launched.pid();
        Log.debug("Spawned the program as PID {}.", pid);
        relay.ifPresent(NotifyRelay::start);
        CompletableFuture<Integer> outcome = new CompletableFuture<>();
        // The reader first: the program may already be waiting in its first bind().
        reader.ifPresent(r -> {
            r.start(outcome::completeExceptionally);
            // The virtual threads' scheduler (its carrier pool, a first virtual thread's classes)
            // is made on first use: made now, while the program starts, the first closer look
            // does not wait for it (BENCHMARKS.md, part 7).
            Thread.ofVirtual().name("bandaid-warm-up").start(() -> { });
        });
        Thread.ofPlatform().name("bandaid-reaper").daemon().start(() -> {
            try {
                outcome.complete(Descendants.reapUntilNoneLeft(pid, status -> Log.info(
                        "the program exited with status {}; bandaid keeps answering for the processes it left running until they exit",
                        status)));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        OptionalInt pidfd = pidfdOrNone(pid);
        SignalForwarder.start(pid, pidfd);
        AtomicBoolean stoppedForIdle = new AtomicBoolean();
        idle.ifPresent(watch -> watch.start(() -> {
            stoppedForIdle.set(true);
            Descendants.stop(pid, pidfd, STOP_GRACE);
        }));
        try {
            int status = outcome.get();
            reader.ifPresent(r -> r.awaitAnswered(Duration.ofSeconds(1)));
            reader.ifPresent(r -> Log.debug("The program made {} trapped call(s).", r.received()));
            return stoppedForIdle.get() ? 0 : status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            Descendants.killAll();
            throw new BandaidException(ExitCode.SOFTWARE, "interrupted; the program was killed");
        } catch (ExecutionException e) {
            Descendants.killAll();
            Log.debug(e.getCause(), "supervising failed");
            throw new BandaidException(ExitCode.SOFTWARE, "answering the program's trapped calls failed: "
                    + e.getCause().getMessage() + "; the program was killed so that none of its calls hang", e.getCause());
        } finally {
            launched.listener().ifPresent(SeccompListener::close);
        }
    }

    /** A pidfd for the program, or none where pidfds are refused (a sandbox): then kill(2) serves. */
    private static OptionalInt pidfdOrNone(int pid) {
        try {
            return Processes.pidfdOpen(pid);
        } catch (SyscallException e) {
            Log.debug("{}: signals go to the program by pid", e.getMessage());
            return OptionalInt.empty();
        }
    }
}
