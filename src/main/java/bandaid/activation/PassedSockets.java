package bandaid.activation;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.nativeaccess.Descriptors;
import bandaid.nativeaccess.Errno;
import bandaid.nativeaccess.Sockets;
import bandaid.nativeaccess.SyscallException;
import java.util.ArrayList;
import java.util.List;

/** Turns what {@link ListenEnvironment} says into checked {@link PassedSocket}s. */
public final class PassedSockets {

    /** How a passed fd is looked at: the kernel in production, a table in tests. */
    @FunctionalInterface
    public interface Inspector {
        /** @throws SyscallException EBADF (not open) or ENOTSOCK (not a socket) */
        Sockets.Description describe(int fd);
    }

    /** The real inspector; it also marks each fd close-on-exec so the program never inherits it raw. */
    public static final Inspector KERNEL = fd -> {
        Sockets.Description d = Sockets.describe(fd);
        Descriptors.setCloseOnExec(fd);
        return d;
    };

    private PassedSockets() {
    }

    public static List<PassedSocket> inspect(ListenEnvironment env, Inspector inspector) throws BandaidException {
        List<PassedSocket> sockets = new ArrayList<>();
        for (int i = 0; i < env.count(); i++) {
            int fd = env.fd(i);
            String name = env.names().get(i);
            Sockets.Description d;
            try {
                if (fd == env.closedFd()) {
                    throw new SyscallException("fcntl(" + fd + ")", Errno.EBADF);
                }
                d = inspector.describe(fd);
            } catch (SyscallException e) {
                throw problem(env, fd, name, e);
            }
            // A listening stream socket has SO_ACCEPTCONN; a connection from an Accept=yes unit
            // does not. Datagram sockets never listen and are passed as they are.
            if ((d.type() == SocketType.STREAM || d.type() == SocketType.SEQPACKET) && !d.listening()) {
                throw new BandaidException(ExitCode.PASSED_SOCKET_NOT_LISTENING,
                        "passed fd " + fd + " \"" + name + "\" is a connected " + d.type() + " socket, not a listening one:"
                                + " bandaid needs Accept=no in the .socket unit (Accept=yes passes one connection per instance)");
            }
            sockets.add(new PassedSocket(fd, name, d.family(), d.type(), d.protocol(), d.address(), d.listening(), d.nonBlocking(), d.v6Only()));
        }
        return List.copyOf(sockets);
    }

    private static BandaidException problem(ListenEnvironment env, int fd, String name, SyscallException e) {
        if (e.is(Errno.EBADF)) {
            return new BandaidException(ExitCode.PASSED_FD_CLOSED, "LISTEN_FDS=" + env.count() + " says fds 3.."
                    + env.fd(env.count() - 1) + " were passed, but fd " + fd + " \"" + name + "\" is not open");
        }
        if (e.is(Errno.ENOTSOCK)) {
            return new BandaidException(ExitCode.PASSED_FD_NOT_SOCKET,
                    "passed fd " + fd + " \"" + name + "\" is not a socket: only sockets can be passed (sd_listen_fds(3))");
        }
        return new BandaidException(ExitCode.PASSED_FD_NOT_SOCKET,
                "cannot inspect passed fd " + fd + " \"" + name + "\": " + e.getMessage(), e);
    }
}
