package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.activation.ListenEnvironment;
import bandaid.activation.PassedSockets.Inspection;
import bandaid.nativeaccess.Processes;
import bandaid.service.KernelInspector;
import bandaid.socket.Family;
import bandaid.socket.SocketDescription;
import bandaid.socket.SocketType;
import bandaid.service.Environment;
import java.io.PrintStream;
import java.util.List;

/**
 * {@code bandaid inspect}, run in place of a program: lists what was passed, one line per fd,
 * in the manner of systemd-socket-activate's log, and exits 0. Problems a real run would stop
 * at (a closed fd, a connection from Accept=yes) are listed too, not refused.
 */
final class InspectCommand {
    private InspectCommand() {
    }

    static int run(Environment env, PrintStream out, Main.Errors errors, List<String> args) {
        if (!args.isEmpty()) {
            return errors.fail(new BandaidException(ExitCode.USAGE, "inspect takes no arguments, got " + String.join(" ", args)));
        }
        ListenEnvironment listen;
        try {
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
        return 0;
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
