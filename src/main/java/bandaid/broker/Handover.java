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
        // First, so that without a broker nothing was done twice; before the filter, so that the
        // filtered thread makes no call the filter traps.
        HandoffSocket broker = connect(socket);
        if (!request.listen().activated()) {
            broker.close();
            Log.info("{}: running {} without socket activation", request.listen().nothingPassed(), program);
            throw exec(request.program(), environment);
        }
        List<PassedSocket> passed;
        Setup setup;
        try {
            passed = PassedSockets.inspect(request.listen(), KernelInspector::inspect);
            passed.forEach(p -> Log.debug("Received {} {} {}", p.describe(), p.family(), p.type()));
            setup = Setup.of(passed, request.match(), request.maps(), request.exitIdle());
        } catch (BandaidException e) {
            broker.close();
            throw e;
        }
        Handoff handoff = new Handoff(version, program, request.match(), request.maps().stream().map(MapRule::text).toList(),
                request.strict(), request.exitIdle(), request.verbose(), journal, request.listen().names());
        List<Integer> fds = new ArrayList<>(List.of(-1, 2));
        passed.forEach(p -> fds.add(p.fd()));
        String refused = ProgramLauncher.onFilteredThread(program, () -> {
            SeccompListener listener = ProgramLauncher.installFilter(setup.plan());
            fds.set(0, listener.fd());
            Optional<String> refusal = exchange(broker, handoff, fds, socket);
            // Taken: the broker holds the listener and answers the program's calls; refused: it
            // closed its copies, and this thread's filter goes with the thread.
            listener.close();
            broker.close();
            if (refusal.isPresent()) {
                return refusal.get();
            }
            throw exec(request.program(), environment);
        });
        throw new NotTaken(ExitCode.UNAVAILABLE, refused, false);
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
    private static Optional<String> exchange(HandoffSocket broker, Handoff handoff, List<Integer> fds, Path socket) {
        String at = "the bandaid broker at " + socket;
        try {
            broker.send(handoff.encode(), fds);
            HandoffSocket.Message answer = broker.receive(1024);
            answer.fds().forEach(fd -> Fds.close(fd, "fd from the broker"));
            String text = new String(answer.bytes(), StandardCharsets.UTF_8);
            if (text.equals(Handoff.TAKEN)) {
                return Optional.empty();
            }
            return Optional.of(text.isEmpty() ? at + " closed the connection without an answer"
                    : text.startsWith(Handoff.REFUSED) ? at + " refused: " + Bytes.oneLine(text.substring(Handoff.REFUSED.length()))
                    : at + " answered " + Bytes.oneLine(text));
        } catch (SyscallException e) {
            return Optional.of(e.errno() == Errno.EAGAIN ? at + " did not answer within " + ANSWER_WITHIN.toSeconds() + " s"
                    : "the handoff to " + at + " failed: " + e.getMessage());
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
