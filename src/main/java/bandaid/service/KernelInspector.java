package bandaid.service;

import bandaid.activation.PassedSockets.Inspection;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.FileIds;
import bandaid.nativeaccess.Sockets;
import bandaid.nativeaccess.SyscallException;
import bandaid.socket.Errno;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.SocketDescription;
import java.util.Optional;

/** The passed fds as the kernel shows them: the activation layer's {@link bandaid.activation.PassedSockets.Inspector}. */
public final class KernelInspector {
    private KernelInspector() {
    }

    /** Looks at a passed fd, and marks it close-on-exec so no program bandaid starts inherits it raw. */
    public static Inspection inspect(int fd) {
        try {
            SocketDescription d = Sockets.describe(fd);
            Fds.setCloseOnExec(fd);
            Optional<FileId> file = d.address() instanceof ListenAddress.Unix u && u.isPath() ? FileIds.of(u.name()) : Optional.empty();
            return new Inspection.Socket(d, file);
        } catch (SyscallException e) {
            if (e.errno() == Errno.ENOTSOCK) {
                return new Inspection.NotASocket();
            }
            if (e.errno() == Errno.EBADF) {
                return new Inspection.NotOpen(Fds.isPathOnly(fd) ? "an O_PATH reference to a file, not an open socket" : "not open");
            }
            return new Inspection.NotOpen("not readable as a socket (" + e.getMessage() + ")");
        }
    }
}
