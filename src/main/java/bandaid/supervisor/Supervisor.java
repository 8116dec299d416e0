package bandaid.supervisor;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.Family;
import bandaid.activation.ListenEnvironment;
import bandaid.activation.PassedSocket;
import bandaid.activation.PassedSockets;
import bandaid.activation.SocketType;
import bandaid.matching.FdMatcher;
import bandaid.matching.MatcherFactory;
import bandaid.supervisor.ProgramLauncher.Launched;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.TrapPlan;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tinylog.Logger;

/** Runs one program on the passed sockets and returns the status bandaid should exit with. */
public final class Supervisor {
    /** Variables only bandaid's own start-up needs; the program gets the environment without them. */
    public static final List<String> OWN_VARIABLES = List.of("BANDAID_SET_SR_SIGNUM", "BANDAID_JAVA_OPTIONS", "BANDAID_CLOSED_FD", "BANDAID_LAUNCHER");

    private Supervisor() {
    }

    /**
     * @param matchers makes the matcher for the passed sockets
     * @param strict   refuse binds to listening addresses that no passed socket has
     * @param exitIdle stop the program after this long without a connection (--exit-idle-time)
     * @return the program's exit status, 128+N when signal N killed it (as a shell reports it);
     * 0 when bandaid stopped it for being idle
     */
    public static int run(List<String> program, ListenEnvironment listen, MatcherFactory matchers, boolean strict,
                          Optional<Duration> exitIdle) throws BandaidException {
        Map<String, String> environment = programEnvironment(System.getenv());
        if (!listen.activated()) {
            Logger.info("LISTEN_FDS is not set: running {} without socket activation", program.getFirst());
            Processes.becomeSubreaper();
            return supervise(ProgramLauncher.launch(program, environment, new TrapPlan(Map.of(), false, false)), Optional.empty(), Optional.empty());
        }
        List<PassedSocket> passed = PassedSockets.inspect(listen, PassedSockets.KERNEL);
        Processes.becomeSubreaper();
        passed.forEach(p -> Logger.debug("Received {} {} {}", p.describe(), p.family(), p.type()));
        FdMatcher matcher = FaultInjection.wrap(matchers.create(passed));
        Optional<IdleWatch> idle = exitIdle.map(limit -> new IdleWatch(passed, limit));
        if (idle.isPresent() && !idle.get().watchesAnything()) {
            throw new BandaidException(ExitCode.USAGE,
                    "--exit-idle-time needs a passed stream socket: bandaid counts connections, and datagram sockets have none");
        }
        TrapPlan plan = new TrapPlan(matcher.needsSocketCalls() ? kinds(passed) : Map.of(), true,
                !CallHandler.keptPaths(passed).isEmpty());
        Launched launched = ProgramLauncher.launch(program, environment, plan);
        return supervise(launched, launched.listener().map(listener ->
                new CallHandler(matcher, new KernelChannel(listener), new CallerNames(), strict, passed)), idle);
    }

    /**
     * sd_listen_fds(3) asks that LISTEN_* be unset before the sockets reach anyone else: the
     * program is not the process LISTEN_PID names, and its own children must not act on them.
     */
    static Map<String, String> programEnvironment(Map<String, String> ours) {
        Map<String, String> environment = new HashMap<>(ours);
        ListenEnvironment.VARIABLES.forEach(environment::remove);
        if (ours.containsKey("BANDAID_SET_SR_SIGNUM")) {
            // scripts/bandaid moved the JVM's suspend/resume signal off SIGUSR2 (so USR2 can be
            // forwarded); the program must not see that setting.
            environment.remove("_JAVA_SR_SIGNUM");
        }
        OWN_VARIABLES.forEach(environment::remove);
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

    private static int supervise(Launched launched, Optional<CallHandler> handler, Optional<IdleWatch> idle) throws BandaidException {
        Process process = launched.process();
        AtomicBoolean stoppedForIdle = new AtomicBoolean();
        idle.ifPresent(watch -> watch.start(() -> {
            stoppedForIdle.set(true);
            stopProgram(process);
        }));
        Logger.debug("Spawned {} as PID {}.", process.info().command().orElse("the program"), process.pid());
        CompletableFuture<Integer> outcome = new CompletableFuture<>();
        SignalForwarder.start(process);
        Optional<NotificationReader> reader = launched.listener().flatMap(listener -> handler.map(h ->
                new NotificationReader(listener, h, outcome::completeExceptionally)));
        reader.ifPresent(NotificationReader::start);
        launched.listener().ifPresent(FaultInjection::closeListenerIfAsked);
        Thread.ofPlatform().name("bandaid-reaper").daemon().start(() -> {
            try {
                outcome.complete(awaitProgramAndDescendants(process));
            } catch (Throwable t) {
                outcome.completeExceptionally(t);
            }
        });
        try {
            int status = outcome.get();
            reader.ifPresent(r -> r.awaitAnswered(Duration.ofSeconds(1)));
            reader.ifPresent(r -> Logger.debug("The program made {} trapped call(s).", r.received()));
            return stoppedForIdle.get() ? 0 : status;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            killProgram(process);
            throw new BandaidException(ExitCode.SUPERVISOR_FAILED, "interrupted; the program was killed");
        } catch (ExecutionException e) {
            killProgram(process);
            Logger.debug(e.getCause(), "the notification reader failed");
            throw new BandaidException(ExitCode.SUPERVISOR_FAILED, "answering the program's trapped calls failed: "
                    + e.getCause().getMessage() + "; the program was killed so that none of its calls hang", e.getCause());
        }
    }

    /**
     * The program's status once it and everything it started have exited. A program that
     * daemonizes (its first process forks and exits, like nginx with "daemon on") leaves its
     * real server running: bandaid, the subreaper, inherits it and keeps answering its calls,
     * since closing the listener would make them fail with ENOSYS (seccomp_unotify(2)).
     */
    private static int awaitProgramAndDescendants(Process process) {
        int status = process.onExit().join().exitValue();
        if (ProcessHandle.current().children().findAny().isPresent()) {
            Logger.info("the program exited with status {}; bandaid keeps answering for the processes it left running until they exit",
                    status);
        }
        while (Processes.reapAnyChild().isPresent()) {
            // each exited descendant reparented to bandaid is reaped here
        }
        return status;
    }

    /** SIGTERM to the program and everything it left running: a graceful stop. */
    private static void stopProgram(Process process) {
        process.destroy();
        ProcessHandle.current().children().forEach(ProcessHandle::destroy);
    }

    /**
     * SIGKILL to the program and everything it started, including what it left behind and
     * bandaid (the subreaper) inherited: unanswered calls must not hang them.
     */
    private static void killProgram(Process process) {
        process.destroyForcibly();
        ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
