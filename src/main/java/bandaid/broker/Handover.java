package bandaid.broker;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.PassedSockets;
import bandaid.matching.MapRule;
import bandaid.nativeaccess.Exec;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.HandoffSocket;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.SyscallException;
import bandaid.service.KernelInspector;
import bandaid.service.Log;
import bandaid.service.ProgramLauncher;
import bandaid.service.Request;
import bandaid.service.Setup;
import bandaid.socket.Bytes;
import bandaid.socket.Errno;
import bandaid.socket.PassedSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Broker mode, the wrapper's side: everything is checked as in wrapper mode, then the filter is
 * installed on a thread of its own, its listener, bandaid's stderr and the passed sockets go to
 * the broker, and once the broker has taken them that same thread becomes the program (execve):
 * the program is the service's main process, and no JVM stays beside it.
 */
public final class Handover {
    /** The broker's socket when --broker names none: bandaid-broker.socket's ListenSequentialPacket=. */
    public static final Path DEFAULT_SOCKET = Path.of("/run/bandaid/broker.sock");
    /**
     * How long the broker has to take a handoff. A broker being restarted answers once it is up
     * again (systemd keeps its socket, and the connection waits in its backlog): far less.
     */
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);
    /**
     * How long a handoff refused because the broker reads too many others at once is tried
     * again, with pauses from {@link #FIRST_PAUSE} doubling up to {@link #MOST_PAUSE}: a burst of
     * services started together is over well within it, and a broker that stays busy for longer
     * is told about as it was before.
     */
    static final Duration BUSY_RETRY_WITHIN = Duration.ofSeconds(5);
    static final Duration FIRST_PAUSE = Duration.ofMillis(20);
    static final Duration MOST_PAUSE = Duration.ofMillis(500);

    private Handover() {
    }

    /** Why the broker did not take the service: nothing was started, and nothing is left to undo. */
    public static final class NotTaken extends Exception {
        private final ExitCode code;
        private final boolean noBroker;

        NotTaken(ExitCode code, String message, boolean noBroker) {
            super(message, null, false, false);
            this.code = code;
            this.noBroker = noBroker;
        }

        public ExitCode exitCode() {
            return code;
        }

        /** Nothing listens at the socket, or there is none: no broker runs here. */
        public boolean noBroker() {
            return noBroker;
        }
    }

    /**
     * Hands the service to the broker at {@code socket} and becomes the program: returns only by
     * an exception.
     *
     * @param journal bandaid's stderr is the journal (the broker's lines about this service then
     *                carry their priority)
     * @throws NotTaken        the broker is not there or refused: nothing was started, and the
     *                         caller may run the program in wrapper mode instead, or say why
     * @throws BandaidException what is wrong in either mode (the passed sockets, the options); or
     *                          the program could not be executed after the handoff (127, 126), and
     *                          the broker lets the service go with this process
     */
    public static void handOver(Request request, Path socket, boolean journal, String version) throws NotTaken, BandaidException {
        String program = Bytes.printable(request.program().getFirst());
        List<byte[]> environment = request.programEnvironment(List.of());
        if (!request.listen().activated()) {
            // Asked all the same, so that --broker without a broker fails as it does with sockets.
            connect(socket).close();
            Log.info("{}: running {} without socket activation", request.listen().nothingPassed(), program);
            throw exec(request.program(), environment);
        }
        // Everything that can be done before the broker is asked is done first: the broker reads
        // a few handoffs of a uid at a time (Broker.MOST_HANDSHAKES_PER_UID), counted from its
        // accept(2), and ten services of one uid started at once must not hold those places
        // while each inspects its sockets.
        List<PassedSocket> passed = PassedSockets.inspect(request.listen(), KernelInspector::inspect);
        Setup setup = Setup.of(passed, request.match(), request.maps(), request.strict(), request.exitIdle());
        Handoff handoff = new Handoff(version, program, request.match(), request.maps().stream().map(MapRule::text).toList(),
                request.strict(), request.exitIdle(), request.verbose(), journal, request.listen().names());
        byte[] bytes = handoff.encode();
        List<Integer> fds = new ArrayList<>(List.of(-1, 2));
        passed.forEach(p -> fds.add(p.fd()));
        long deadline = System.nanoTime() + BUSY_RETRY_WITHIN.toNanos();
        Duration pause = FIRST_PAUSE;
        boolean said = false;
        while (true) {
            // Before the filter, so that the filtered thread makes no call the filter traps (a
            // connect(2), where a unix socket was passed).
            HandoffSocket broker = connect(socket);
            if (!said) {
                // Said once a broker is there: where none is, wrapper mode inspects and says it.
                passed.forEach(p -> Log.debug("Received {} {} {}", p.describe(), p.family(), p.type()));
                said = true;
            }
            Refusal refused = ProgramLauncher.onFilteredThread(program, () -> {
                SeccompListener listener = ProgramLauncher.installFilter(setup.plan());
                fds.set(0, listener.fd());
                Optional<Refusal> refusal = exchange(broker, bytes, fds, socket);
                // Taken: the broker holds the listener and answers the program's calls; refused: it
                // closed its copies, and this thread's filter goes with the thread.
                listener.close();
                broker.close();
                if (refusal.isPresent()) {
                    return refusal.get();
                }
                throw exec(request.program(), environment);
            });
            long left = deadline - System.nanoTime();
            if (!refused.busy() || left <= 0) {
                throw new NotTaken(ExitCode.UNAVAILABLE, refused.busy() ? refused.message() + " (asked again for "
                        + BUSY_RETRY_WITHIN.toSeconds() + " s)" : refused.message(), false);
            }
            // Busy with other services' handoffs (a boot starting many at once): a moment later
            // the same handoff is taken. The pause grows, with some chance in it, so that the
            // services turned away together do not come back together; the last ask comes at the deadline.
            Duration wait = pause.plusMillis(ThreadLocalRandom.current().nextLong(pause.toMillis() + 1));
            if (wait.toNanos() > left) {
                wait = Duration.ofNanos(left);
            }
            Log.debug("{}; asking again in {} ms", refused.message(), wait.toMillis());
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NotTaken(ExitCode.UNAVAILABLE, refused.message(), false);
            }
            pause = pause.multipliedBy(2).compareTo(MOST_PAUSE) > 0 ? MOST_PAUSE : pause.multipliedBy(2);
        }
    }

    /** Why the broker did not take a handoff; {@code busy}: it was reading too many others, and asking again may do. */
    private record Refusal(String message, boolean busy) {
    }

    private static HandoffSocket connect(Path socket) throws NotTaken {
        try {
            HandoffSocket broker = HandoffSocket.connect(socket.toString().getBytes(StandardCharsets.UTF_8));
            broker.timeOutAfter(ANSWER_WITHIN);
            return broker;
        } catch (SyscallException e) {
            if (e.errno() == Errno.EACCES || e.errno() == Errno.EPERM) {
                throw new NotTaken(ExitCode.NOPERM, "the bandaid broker at " + socket + " refuses this user: " + e.getMessage(), false);
            }
            throw new NotTaken(ExitCode.UNAVAILABLE, "no bandaid broker at " + socket + " (" + e.getMessage()
                    + "): systemctl enable --now bandaid-broker.socket starts one", true);
        }
    }

    /** Sends the handoff and reads the answer: empty when the broker took it, else why not. */
    private static Optional<Refusal> exchange(HandoffSocket broker, byte[] handoff, List<Integer> fds, Path socket) {
        String at = "the bandaid broker at " + socket;
        try {
            broker.send(handoff, fds);
        } catch (SyscallException e) {
            if (e.errno() != Errno.EPIPE && e.errno() != Errno.ECONNRESET) {
                return Optional.of(new Refusal("the handoff to " + at + " failed: " + e.getMessage(), false));
            }
            // The broker closed the connection before the handoff came (it refuses at once what
            // is over its limits): its answer, sent before it closed, waits to be read.
        }
        try {
            HandoffSocket.Message answer = receive(broker);
            answer.fds().forEach(fd -> Fds.close(fd, "fd from the broker"));
            String text = new String(answer.bytes(), StandardCharsets.UTF_8);
            if (text.equals(Handoff.TAKEN)) {
                return Optional.empty();
            }
            if (text.startsWith(Handoff.REFUSED)) {
                String why = text.substring(Handoff.REFUSED.length());
                return Optional.of(new Refusal(at + " refused: " + Bytes.oneLine(why), why.startsWith(Handoff.BUSY)));
            }
            return Optional.of(new Refusal(text.isEmpty() ? at + " closed the connection without an answer"
                    : at + " answered " + Bytes.oneLine(text), false));
        } catch (SyscallException e) {
            return Optional.of(new Refusal(e.errno() == Errno.EAGAIN ? at + " did not answer within " + ANSWER_WITHIN.toSeconds() + " s"
                    : "the handoff to " + at + " failed: " + e.getMessage(), false));
        }
    }

    /**
     * The broker's answer. A broker that closed the connection with the handoff unread makes the
     * kernel report ECONNRESET once, to the first receive, before the answer it had sent is read
     * (unix(7) sockets: unix_release_sock sets the peer's error, and the error is reported ahead
     * of the queue).
     */
    private static HandoffSocket.Message receive(HandoffSocket broker) {
        try {
            return broker.receive(1024);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ECONNRESET) {
                throw e;
            }
            return broker.receive(1024);
        }
    }

    /** Becomes the program; returns only the failure to say when it could not be executed. */
    private static BandaidException exec(List<byte[]> argv, List<byte[]> environment) {
        return ProgramLauncher.startFailure(argv, environment, Exec.become(argv, environment, path(environment)));
    }

    /** The directories of the program's PATH, as execvp(3) searches them (its default when unset). */
    private static List<byte[]> path(List<byte[]> environment) {
        byte[] prefix = "PATH=".getBytes(StandardCharsets.US_ASCII);
        for (byte[] entry : environment) {
            if (entry.length >= prefix.length && Arrays.equals(entry, 0, prefix.length, prefix, 0, prefix.length)) {
                return split(Arrays.copyOfRange(entry, prefix.length, entry.length));
            }
        }
        return split("/bin:/usr/bin".getBytes(StandardCharsets.US_ASCII));
    }

    private static List<byte[]> split(byte[] path) {
        List<byte[]> dirs = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == ':') {
                dirs.add(Arrays.copyOfRange(path, start, i));
                start = i + 1;
            }
        }
        return dirs;
    }
}
