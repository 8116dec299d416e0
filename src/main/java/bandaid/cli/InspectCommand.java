package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.activation.PassedSockets;
import bandaid.activation.PassedSockets.Inspection;
import bandaid.matching.AddressMatcher;
import bandaid.matching.CallerFacts;
import bandaid.matching.Decider;
import bandaid.matching.Decision;
import bandaid.nativeaccess.Processes;
import bandaid.service.Environment;
import bandaid.service.KernelInspector;
import bandaid.socket.FdFlags;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketKind;
import bandaid.socket.TrappedCall;
import bandaid.supervisor.Learner;
import bandaid.socket.Family;
import bandaid.socket.SocketDescription;
import bandaid.socket.SocketType;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code bandaid inspect [[--] PROGRAM [ARGS...]]}, run in place of a program: lists what was
 * passed, one line per fd, in the manner of systemd-socket-activate's log, and exits 0. Problems
 * a real run would stop at (a closed fd, a connection from Accept=yes) are listed too, not
 * refused. Given a program, it also runs it once as {@code bandaid unit --learn} does (in a
 * network namespace of its own, as root) and says what each of its listening sockets would get.
 */
final class InspectCommand {
    private InspectCommand() {
    }

    static int run(Environment env, PrintStream out, Errors errors, List<String> args) {
        List<String> program;
        ListenEnvironment listen;
        try {
            Options.Inspect options = new Options.Inspect();
            CommandLine line = CommandLine.parse(options, args, CommandLine.Ends.AT_FIRST_OPERAND);
            if (options.help) {
                out.print(Help.inspect());
                return 0;
            }
            program = args.subList(line.rest(), args.size());
            if (line.separated() && program.isEmpty()) {
                throw new BandaidException(ExitCode.USAGE, "inspect -- needs a program: usage is " + Help.INSPECT_USAGE);
            }
            listen = ListenEnvironment.parse(env.variables(), Processes.ownPid());
        } catch (BandaidException e) {
            return errors.fail(e);
        }
        if (!listen.activated()) {
            out.println("No descriptors were passed (" + listen.nothingPassed() + ").");
            return 0;
        }
        out.println("Received " + listen.count() + " descriptor" + (listen.count() == 1 ? "" : "s") + " via the environment.");
        for (int i = 0; i < listen.count(); i++) {
            out.println(line(listen, i));
        }
        if (program.isEmpty()) {
            return 0;
        }
        try {
            List<PassedSocket> passed = PassedSockets.inspect(listen, KernelInspector::inspect);
            List<byte[]> command = new ArrayList<>();
            command.add(UnitPlaces.absoluteProgram(program.getFirst().getBytes(StandardCharsets.UTF_8), env.get("PATH")));
            program.subList(1, program.size()).forEach(a -> command.add(a.getBytes(StandardCharsets.UTF_8)));
            Learner.Outcome outcome = UnitLearning.listenOnly(env, errors.err(), command);
            wouldGet(out, passed, outcome.heard());
            return 0;
        } catch (BandaidException e) {
            return errors.fail(e);
        }
    }

    /**
     * {@code bandaid inspect -- PROGRAM}: for each socket the program listens on (learned as
     * {@code bandaid unit --learn} learns it), what bandaid would hand its bind, and what bandaid
     * would warn about, as a run on these sockets would decide (the same Decider): a dual-stack
     * socket where the program splits the families, with the split unit's lines; an address no
     * passed socket has, with the line that passes it.
     */
    private static void wouldGet(PrintStream out, List<PassedSocket> passed, List<Learner.Heard> heard) {
        Decider decider = new Decider(new AddressMatcher(passed, List.of()), false, passed);
        if (heard.isEmpty()) {
            out.println("The program listened on nothing before it settled.");
        }
        for (Learner.Heard h : heard) {
            SocketDescription s = h.socket();
            TrappedCall.Bind bind = new TrappedCall.Bind(0, 0, Optional.of(s.address()));
            Decision decision = decider.bind(bind, new CallerFacts(Optional.of(new SocketKind(s.family(), s.type(), s.v6Only())),
                    Optional.of(new FdFlags(false, s.nonBlocking())), Optional.empty()));
            List<String> warnings = new ArrayList<>();
            String gets;
            if (decision instanceof Decision.Inject i) {
                gets = "gets passed " + i.socket().describe();
                warnings.addAll(i.warnings());
            } else {
                gets = "gets no passed socket";
                warnings.addAll(((Decision.Continue) decision).warnings());
                if (s.type() != SocketType.DGRAM && decider.listen(new TrappedCall.Listen(0, 0), new CallerFacts(Optional.of(
                        new SocketKind(s.family(), s.type(), s.v6Only())), Optional.empty(), Optional.empty(), Optional.of(s.address())))
                        instanceof Decision.Continue c) {
                    warnings.addAll(c.warnings());
                }
            }
            out.println(h.caller() + " listens on " + s.address() + " (" + s.family() + " " + s.type()
                    + (s.family() == Family.INET6 ? ", IPV6_V6ONLY=" + (s.v6Only() ? 1 : 0) : "") + "): " + gets);
            warnings.forEach(w -> out.println("  warning: " + w));
        }
    }

    private static String line(ListenEnvironment listen, int index) {
        int fd = listen.fd(index);
        String head = "fd " + fd + " \"" + listen.names().get(index) + "\": ";
        Inspection found = fd == listen.closedFd() ? new Inspection.NotOpen("not open") : KernelInspector.inspect(fd);
        if (found instanceof Inspection.Socket s) {
            return head + describe(s.description());
        }
        return head + (found instanceof Inspection.NotOpen n ? n.what() : "not a socket");
    }

    private static String describe(SocketDescription d) {
        return d.family() + " " + d.type() + " " + d.address()
                + (d.listening() ? ", listening" : d.type() == SocketType.DGRAM ? "" : ", not listening (Accept=yes?)")
                + (d.nonBlocking() ? ", non-blocking" : ", blocking")
                + (d.family() == Family.INET6 ? (d.v6Only() ? ", IPv6 only" : ", dual-stack") : "");
    }
}
