package bandaid.supervisor;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.activation.PassedSockets;
import bandaid.matching.AddressMatcher;
import bandaid.matching.Decider;
import bandaid.matching.FdMatcher;
import bandaid.matching.MapRule;
import bandaid.matching.SocketOrderMatcher;
import bandaid.nativeaccess.CallerMemory;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.SyscallException;
import bandaid.nativeaccess.TrapPlan;
import bandaid.service.CallReader;
import bandaid.service.CallerLook;
import bandaid.service.FdAccess;
import bandaid.service.IdleWatch;
import bandaid.service.KernelInspector;
import bandaid.service.Log;
import bandaid.service.ProgramLauncher.Launched;
import bandaid.service.ProgramLauncher;
import bandaid.socket.Bytes;
import bandaid.socket.Family;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/** Runs one program on the passed sockets and returns the status bandaid should exit with. */
public final class Supervisor {
    /** Variables only bandaid's own start-up needs; the program gets the environment without them. */
    static final List<String> OWN_VARIABLES = List.of("BANDAID_SET_SR_SIGNUM", "BANDAID_JAVA_OPTIONS", "BANDAID_CLOSED_FD", "BANDAID_LAUNCHER");
    /**
     * How long a program stopped for being idle has after SIGTERM before SIGKILL, as systemd's
     * stop escalates after TimeoutStopSec= (README, --exit-idle-time).
     */
    public static final Duration STOP_GRACE = Duration.ofSeconds(5);

    private Supervisor() {
    }

    /**
     * What to run and how.
     *
     * @param program  the program and its arguments, as the bytes bandaid was given
     * @param match    address or socket (--match)
     * @param exitIdle stop the program after this long without a connection (--exit-idle-time)
     */
    public record Request(List<byte[]> program, Environment environment, ListenEnvironment listen, String match,
                          List<MapRule> maps, boolean strict, Optional<Duration> exitIdle) {
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
            return supervise(ProgramLauncher.launch(request.program(), programEnvironment(request.environment(), relay),
                    new TrapPlan(Map.of(), false, false)), Optional.empty(), Optional.empty(), relay);
        }
        List<PassedSocket> passed = PassedSockets.inspect(request.listen(), KernelInspector::inspect);
        passed.forEach(p -> Log.debug("Received {} {} {}", p.describe(), p.family(), p.type()));
        FdMatcher matcher = matcher(request, passed);
        if (request.exitIdle().isPresent() && !IdleWatch.watchesAnything(passed)) {
            throw new BandaidException(ExitCode.USAGE,
                    "--exit-idle-time needs a passed stream socket: bandaid counts connections, and datagram sockets have none");
        }
        refuseWhatCannotWork();
        FdAccess access = FdAccess.here();
        Optional<IdleWatch> idle = request.exitIdle().map(limit -> new IdleWatch(passed, limit, access));
        Processes.becomeSubreaper();
        TrapPlan plan = new TrapPlan(matcher.needsSocketCalls() ? kinds(passed) : Map.of(), true, Decider.keepsPaths(passed));
        Optional<NotifyRelay> relay = NotifyRelay.open(request.environment());
        Launched launched = ProgramLauncher.launch(request.program(), programEnvironment(request.environment(), relay), plan);
        Decider decider = new Decider(matcher, request.strict(), passed);
        return supervise(launched, launched.listener().map(listener ->
                new CallReader(listener, decider, CallerLook.kernel(access.byDuplicate()), CallReader.onVirtualThreads())), idle, relay);
    }

    private static FdMatcher matcher(Request request, List<PassedSocket> passed) throws BandaidException {
        if (request.match().equals("socket")) {
            return new SocketOrderMatcher(passed);
        }
        MapRule.checkNames(request.maps(), passed);
        return new AddressMatcher(passed, request.maps());
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

    /**
     * sd_listen_fds(3) asks that LISTEN_* be unset before the sockets reach anyone else: the
     * program is not the process LISTEN_PID names, and its own children must not act on them.
     */
    static List<byte[]> programEnvironment(Environment ours, Optional<NotifyRelay> relay) {
        List<String> remove = new ArrayList<>(ListenEnvironment.VARIABLES);
        remove.addAll(OWN_VARIABLES);
        if (relay.isPresent()) {
            remove.addAll(NotifyRelay.SYSTEMD_VARIABLES);
        }
        if (ours.get("BANDAID_SET_SR_SIGNUM") != null) {
            // scripts/bandaid moved the JVM's suspend/resume signal off SIGUSR2 (so USR2 can be
            // forwarded); the program must not see that setting.
            remove.add("_JAVA_SR_SIGNUM");
        }
        List<byte[]> environment = new ArrayList<>(ours.rawWithout(remove));
        relay.ifPresent(r -> r.programVariables().forEach(v -> environment.add(v.getBytes(StandardCharsets.UTF_8))));
        return environment;
    }

    /** The families and types of the passed sockets: socket() is trapped only for these. */
    private static Map<Family, Set<SocketType>> kinds(List<PassedSocket> passed) {
        Map<Family, Set<SocketType>> kinds = new HashMap<>();
        for (PassedSocket p : passed) {
            kinds.computeIfAbsent(p.family(), f -> EnumSet.noneOf(SocketType.class)).add(p.type());
        }
        return kinds;
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
