package bandaid.activation;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.socket.FileId;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketDescription;
import bandaid.socket.SocketType;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Turns what {@link ListenEnvironment} says into checked {@link PassedSocket}s. */
public final class PassedSockets {

    /** What a look at one passed fd found. */
    public sealed interface Inspection {
        /** A socket; {@code file} is its socket file when it is bound to a path. */
        record Socket(SocketDescription description, Optional<FileId> file) implements Inspection {
        }

        /** Nothing is open on the fd (EBADF), or only an O_PATH reference to a file. */
        record NotOpen(String what) implements Inspection {
        }

        /** Open, but not a socket (ENOTSOCK): a FIFO or a special file from a .socket unit. */
        record NotASocket() implements Inspection {
        }
    }

    /** How a passed fd is looked at: the kernel in production (supervisor wires it), a table in tests. */
    @FunctionalInterface
    public interface Inspector {
        Inspection inspect(int fd);
    }

    private PassedSockets() {
    }

    public static List<PassedSocket> inspect(ListenEnvironment env, Inspector inspector) throws BandaidException {
        List<PassedSocket> sockets = new ArrayList<>();
        for (int i = 0; i < env.count(); i++) {
            int fd = env.fd(i);
            String name = env.names().get(i);
            Inspection found = fd == env.closedFd() ? new Inspection.NotOpen("not open") : inspector.inspect(fd);
            // instanceof, not a pattern switch: see ARCHITECTURE.md, "No pattern switches".
            if (found instanceof Inspection.NotOpen n) {
                throw new BandaidException(ExitCode.CONFIG, "LISTEN_FDS=" + env.count()
                        + " says fds 3.." + env.fd(env.count() - 1) + " were passed, but fd " + fd + " \"" + name + "\" is " + n.what());
            }
            sockets.add(checked(fd, name, found));
        }
        return List.copyOf(sockets);
    }

    /**
     * One passed fd as what it is: a listening socket (or a datagram one), or the CONFIG error
     * that says what else it is.
     */
    public static PassedSocket checked(int fd, String name, Inspection found) throws BandaidException {
        return checked(fd, fd, name, found);
    }

    /**
     * {@link #checked(int, String, Inspection)} for a copy held as {@code fd} of the socket passed
     * as {@code passedAs} (the broker's): the lines name it by the number the unit gave it.
     */
    public static PassedSocket checked(int fd, int passedAs, String name, Inspection found) throws BandaidException {
        if (found instanceof Inspection.NotOpen n) {
            throw new BandaidException(ExitCode.CONFIG, "passed fd " + passedAs + " \"" + name + "\" is " + n.what());
        }
        if (found instanceof Inspection.NotASocket) {
            throw new BandaidException(ExitCode.CONFIG, "passed fd " + passedAs + " \"" + name
                    + "\" is not a socket (a FIFO or special file from ListenFIFO= or ListenSpecial=?): bandaid hands over sockets only");
        }
        Inspection.Socket s = (Inspection.Socket) found;
        SocketDescription d = s.description();
        // A listening stream socket has SO_ACCEPTCONN; a connection from an Accept=yes unit
        // is connected and does not. Datagram sockets never listen and are passed as they are.
        if ((d.type() == SocketType.STREAM || d.type() == SocketType.SEQPACKET) && !d.listening()) {
            // A connection has a local address with a port; a socket never bound has none.
            boolean bound = !(d.address().toString().endsWith(":0") || d.address().toString().equals("(unnamed)"));
            throw new BandaidException(ExitCode.CONFIG, "passed fd " + passedAs + " \"" + name + "\" is "
                    + (bound ? "a connected " + d.type() + " socket, not a listening one"
                             : "a " + d.type() + " socket neither bound nor listening")
                    + ": bandaid needs Accept=no in the .socket unit (Accept=yes passes one connection per instance)");
        }
        return new PassedSocket(fd, name, d, s.file(), passedAs);
    }
}
