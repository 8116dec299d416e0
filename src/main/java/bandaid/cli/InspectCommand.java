package bandaid.cli;

import bandaid.BandaidException;
import bandaid.activation.ListenEnvironment;
import bandaid.activation.PassedSocket;
import bandaid.activation.PassedSockets;
import bandaid.nativeaccess.Sockets;
import bandaid.nativeaccess.SyscallException;
import java.io.PrintStream;

/**
 * {@code bandaid inspect}, run in place of a program: lists what was passed, one line per fd,
 * in the manner of systemd-socket-activate's log, and exits 0. Problems a real run would stop
 * at (a closed fd, a connection from Accept=yes) are listed too, not refused.
 */
final class InspectCommand {
    private InspectCommand() {
    }

    static int run(PrintStream out, PrintStream err, String... args) {
        if (args.length > 0) {
            return Main.fail(err, new BandaidException(bandaid.ExitCode.USAGE, "inspect takes no arguments, got " + String.join(" ", args)));
        }
        ListenEnvironment listen;
        try {
            listen = ListenEnvironment.parse(System.getenv(), ProcessHandle.current().pid());
        } catch (BandaidException e) {
            return Main.fail(err, e);
        }
        if (!listen.activated()) {
            out.println("No descriptors were passed (LISTEN_FDS is not set).");
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
        if (fd == listen.closedFd()) {
            return head + "not open";
        }
        try {
            Sockets.Description d = PassedSockets.KERNEL.describe(fd);
            PassedSocket p = new PassedSocket(fd, listen.names().get(index), d.family(), d.type(), d.protocol(), d.address(),
                    d.listening(), d.nonBlocking(), d.v6Only());
            return head + p.family() + " " + p.type() + " " + p.address()
                    + (p.listening() ? ", listening" : p.type() == bandaid.activation.SocketType.DGRAM ? "" : ", connected (Accept=yes?)")
                    + (p.nonBlocking() ? ", non-blocking" : ", blocking")
                    + (p.family() == bandaid.activation.Family.INET6 ? (p.v6Only() ? ", IPv6 only" : ", dual-stack") : "");
        } catch (SyscallException e) {
            return head + e.getMessage();
        }
    }
}
