package bandaid.supervisor;

import bandaid.BandaidException;
import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.Sockets;
import bandaid.nativeaccess.SyscallException;
import bandaid.nativeaccess.TrapPlan;
import bandaid.service.CallReader;
import bandaid.service.Environment;
import bandaid.service.Log;
import bandaid.service.ProgramLauncher.Launched;
import bandaid.service.ProgramLauncher;
import bandaid.socket.ListenAddress;
import bandaid.socket.Reply;
import bandaid.socket.SocketDescription;
import bandaid.socket.SocketType;
import bandaid.socket.TrappedCall;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code bandaid unit --learn}: runs a program once under a filter that traps only bind(2),
 * lets every call through unchanged, and keeps a duplicate of each socket the program binds to
 * a listening address (pidfd_getfd(2): the same open file description). Once the program has
 * made no new bind for a while, each duplicate says what became of its socket (bound there?
 * listening? IPV6_V6ONLY?), the program is stopped and the sockets it listens on are returned.
 * Apart from its own runs, nothing here is on the path of a normal run.
 */
public final class Learner {
    private static final Duration POLL = Duration.ofMillis(50);

    private Learner() {
    }

    /**
     * @param program what to run (the caller wraps it in whatever namespace it wants)
     * @param quiet   stop once no new bind() came for this long after the last one
     * @param limit   stop after this long in any case
     */
    public record Request(List<byte[]> program, Environment environment, Duration quiet, Duration limit) {
    }

    /**
     * A socket the program listens on.
     *
     * @param socket what the kernel says of it (address, family, type, IPV6_V6ONLY) once the program settled
     * @param caller the process that bound it, {@code name[pid]}
     */
    public record Heard(SocketDescription socket, String caller) {
    }

    /**
     * @param heard      the program's listening sockets, each address and type once, in the order bound
     * @param exitStatus the program's status when it ended by itself before bandaid stopped it
     */
    public record Outcome(List<Heard> heard, OptionalInt exitStatus) {
    }

    /**
     * A bind() to a listening address, as made: the duplicate of the caller's socket (closed
     * later), the address asked for, and that address as a unit names it (a relative unix path
     * made absolute).
     */
    private record Bound(int duplicate, ListenAddress asked, ListenAddress named, String caller) {
    }

    public static Outcome learn(Request request) throws BandaidException {
        Processes.becomeSubreaper();
        Launched launched = ProgramLauncher.launch(request.program(), bandaid.service.Request.programEnvironment(request.environment(), List.of()),
                TrapPlan.bindOnly(true));
        int pid = launched.pid();
        SeccompListener listener = launched.listener().orElseThrow();
        List<Bound> bound = new ArrayList<>();
        long[] lastBind = {0};
        Thread.ofPlatform().name("bandaid-learner").daemon().start(() -> record(listener, bound, lastBind));
        CompletableFuture<Integer> ended = new CompletableFuture<>();
        Thread.ofPlatform().name("bandaid-reaper").daemon().start(() -> ended.complete(Descendants.reapUntilNoneLeft(pid, status -> { })));
        long start = System.nanoTime();
        try {
            while (!ended.isDone()) {
                long now = System.nanoTime();
                long last;
                synchronized (bound) {
                    last = bound.isEmpty() ? 0 : lastBind[0];
                }
                if (last != 0 && now - last >= request.quiet().toNanos() || now - start >= request.limit().toNanos()) {
                    break;
                }
                TimeUnit.NANOSECONDS.sleep(POLL.toNanos());
            }
            OptionalInt status = ended.isDone() ? OptionalInt.of(ended.join()) : OptionalInt.empty();
            List<Heard> heard;
            synchronized (bound) {
                heard = settled(bound);
            }
            stop(pid, ended);
            return new Outcome(heard, status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop(pid, ended);
            return new Outcome(List.of(), OptionalInt.empty());
        } finally {
            listener.close();
        }
    }

    /** The learner's reader: every trapped call continues as made; a listening bind is remembered first. */
    private static void record(SeccompListener listener, List<Bound> bound, long[] lastBind) {
        try (SeccompListener.Receiver receiver = listener.receiver()) {
            receiver.forEach(n -> {
                if (n.call() instanceof TrappedCall.Bind b && b.address().isPresent() && !b.address().get().isEphemeral()) {
                    // Looked at before the bind runs: the caller's fd still names this very socket.
                    OptionalInt dup = CallerSockets.duplicate(b.pid(), b.fd());
                    String caller = CallReader.caller(b.pid());
                    if (dup.isPresent()) {
                        synchronized (bound) {
                            bound.add(new Bound(dup.getAsInt(), b.address().get(), absolute(b.address().get(), b.pid()), caller));
                            lastBind[0] = System.nanoTime();
                        }
                    } else {
                        Log.warn("cannot look at the socket of {} from {}: it is left out", b, caller);
                    }
                }
                receiver.answer(n.id(), new Reply.Continue());
            });
        } catch (RuntimeException e) {
            Log.error("reading the program's calls failed: {}", e.toString());
        }
    }

    /** A relative unix path as the program meant it: from its working directory. */
    private static ListenAddress absolute(ListenAddress address, int pid) {
        if (address instanceof ListenAddress.Unix unix && unix.isRelativePath()) {
            return Processes.workingDirectory(pid)
                    .map(cwd -> (ListenAddress) new ListenAddress.Unix(
                            cwd.resolve(new String(unix.name(), StandardCharsets.UTF_8)).normalize().toString(), false))
                    .orElse(address);
        }
        return address;
    }

    /**
     * What became of each bound socket: a bind that failed leaves it elsewhere, a stream socket
     * that never listened was a client. Each address and type once (threads or workers binding
     * the same address with SO_REUSEPORT are one socket unit line). The duplicates are closed.
     */
    private static List<Heard> settled(List<Bound> bound) {
        List<Heard> heard = new ArrayList<>();
        for (Bound b : bound) {
            try {
                SocketDescription d = Sockets.describe(b.duplicate());
                // getsockname(2) gives back the address as bound (a unix path as the program spelt it).
                boolean there = d.address().equals(b.asked());
                boolean serves = d.type() == SocketType.DGRAM || d.listening();
                SocketDescription named = new SocketDescription(d.family(), d.type(), d.protocol(), b.named(), d.listening(),
                        d.nonBlocking(), d.v6Only());
                if (there && serves && d.type() != SocketType.OTHER && heard.stream().noneMatch(h -> h.socket().type() == d.type()
                        && h.socket().address().equals(b.named()))) {
                    heard.add(new Heard(named, b.caller()));
                }
            } catch (SyscallException e) {
                Log.debug("the socket of {}'s bind({}) is gone: {}", b.caller(), b.asked(), e.getMessage());
            } finally {
                Fds.close(b.duplicate(), "duplicate of a learned socket");
            }
        }
        return heard;
    }

    /** The program stopped as {@link Descendants#stop} does, and waited for. */
    private static void stop(int pid, CompletableFuture<Integer> ended) {
        Descendants.stop(pid, OptionalInt.empty(), Supervisor.STOP_GRACE);
        try {
            ended.get(2 * Supervisor.STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            Log.warn("the program's processes did not end after SIGKILL: {}", e.toString());
        }
    }
}
