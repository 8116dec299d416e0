package bandaid.broker;

import bandaid.nativeaccess.NotifySocket;
import bandaid.nativeaccess.SyscallException;
import bandaid.service.Environment;
import bandaid.service.Log;
import bandaid.socket.ListenAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * systemd's file descriptor store for the broker's unit (sd_notify(3), FDSTORE=1 with FDNAME=;
 * FileDescriptorStoreMax= in bandaid-broker.service): a duplicate of each fd the broker holds for
 * a service waits there, and comes back to the next broker (LISTEN_FDS, LISTEN_FDNAMES) when this
 * one is restarted or dies. systemd drops a stored fd by itself when it reports POLLHUP or
 * POLLERR, as a seccomp listener does once no process is left under its filter.
 */
final class FdStore {
    private final Optional<NotifySocket> socket;
    private final Optional<ListenAddress.Unix> manager;

    private FdStore(Optional<NotifySocket> socket, Optional<ListenAddress.Unix> manager) {
        this.socket = socket;
        this.manager = manager;
    }

    /** The store of the service manager NOTIFY_SOCKET names; none without one. */
    static FdStore of(Environment env) {
        String notify = env.get("NOTIFY_SOCKET");
        Optional<ListenAddress.Unix> manager = notify == null ? Optional.empty()
                : notify.startsWith("/") ? Optional.of(new ListenAddress.Unix(notify, false))
                : notify.startsWith("@") && notify.length() > 1 ? Optional.of(new ListenAddress.Unix(notify.substring(1), true))
                : Optional.empty();
        return new FdStore(manager.map(m -> NotifySocket.open()), manager);
    }

    /** Whether a service manager keeps the fds: without one, a broker that ends loses its services. */
    boolean present() {
        return manager.isPresent();
    }

    /** Keeps a duplicate of {@code fd} under {@code name}. */
    void keep(String name, int fd) {
        send("FDSTORE=1\nFDNAME=" + name, List.of(fd));
    }

    /** Drops what is kept under {@code name}. */
    void forget(String name) {
        send("FDSTOREREMOVE=1\nFDNAME=" + name, List.of());
    }

    /** Tells the service manager the broker serves (Type=notify). */
    void ready(String status) {
        send("READY=1\nSTATUS=" + status, List.of());
    }

    /** Tells the service manager the broker is on its way out (it ends right after). */
    void stopping() {
        send("STOPPING=1", List.of());
    }

    private void send(String message, List<Integer> fds) {
        if (socket.isEmpty()) {
            return;
        }
        try {
            socket.get().send(manager.get(), message.getBytes(StandardCharsets.UTF_8), fds);
        } catch (SyscallException e) {
            Log.warn("the service manager did not take \"{}\": {}", message.replace('\n', ' '), e.getMessage());
        }
    }
}
