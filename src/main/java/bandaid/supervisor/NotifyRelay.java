package bandaid.supervisor;

import bandaid.nativeaccess.NotifySocket;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SyscallException;
import bandaid.service.Environment;
import bandaid.service.Log;
import bandaid.socket.ListenAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Type=notify through bandaid: systemd takes READY=1 (and every other sd_notify(3) message) only
 * from the service's main pid unless NotifyAccess=all, and the main pid is bandaid. So the
 * program gets a notify socket of bandaid's ({@link NotifySocket}: an abstract name, reachable
 * from the program, which shares bandaid's network namespace), and bandaid passes each message on
 * to systemd's NOTIFY_SOCKET as itself. systemd's socket is a path (/run/systemd/notify), which
 * works from any network namespace, PrivateNetwork=yes included: path sockets are found through
 * the file system (unix(7)).
 *
 * <p>What is passed on: every line as sent (READY=1, RELOADING=1, STOPPING=1, STATUS=, ERRNO=,
 * WATCHDOG=1, WATCHDOG=trigger, WATCHDOG_USEC=, EXTEND_TIMEOUT_USEC=, BARRIER=1 with its fd, ...),
 * except:
 * <ul>
 * <li>MAINPID=: dropped. bandaid stays the main pid: it forwards the signals systemd sends, reports
 *     the program's exit as its own and keeps answering the program's trapped calls; a main pid
 *     systemd tracked past bandaid would leave those calls unanswered.</li>
 * <li>FDSTORE=1 and its fds (with FDNAME=, FDSTOREREMOVE=, FDPOLL=): dropped, with a warning.
 *     systemd hands stored fds back through LISTEN_FDS on the next start, to bandaid, which takes
 *     LISTEN_FDS for sockets to serve and would not pass them on to the program.</li>
 * </ul>
 * The program gets WATCHDOG_USEC when systemd's watchdog is meant for bandaid, and no WATCHDOG_PID:
 * sd_watchdog_enabled(3) compares WATCHDOG_PID with getpid(), and bandaid cannot know the
 * program's pid before posix_spawn returns it; without WATCHDOG_PID the check is skipped.
 * Messages are taken from the program's processes only (bandaid's descendants); one whose sender
 * is gone before bandaid reads it (systemd-notify from a script) is taken when it came from
 * bandaid's own uid.
 */
final class NotifyRelay {
    private static final List<String> FD_STORE_FIELDS = List.of("FDSTORE=", "FDNAME=", "FDSTOREREMOVE=", "FDPOLL=");

    private final ListenAddress.Unix systemd;
    private final NotifySocket socket;
    private final Optional<String> watchdogUsec;
    private final AtomicBoolean warnedMainPid = new AtomicBoolean();
    private final AtomicBoolean warnedFdStore = new AtomicBoolean();

    private NotifyRelay(ListenAddress.Unix systemd, NotifySocket socket, Optional<String> watchdogUsec) {
        this.systemd = systemd;
        this.socket = socket;
        this.watchdogUsec = watchdogUsec;
    }

    /**
     * A relay when systemd asked for notifications (NOTIFY_SOCKET); empty when it did not, or
     * names a socket bandaid cannot relay to (the program then gets NOTIFY_SOCKET as it is).
     */
    static Optional<NotifyRelay> open(Environment env) {
        String notify = env.get("NOTIFY_SOCKET");
        if (notify == null || notify.isEmpty()) {
            return Optional.empty();
        }
        Optional<ListenAddress.Unix> target = target(notify);
        if (target.isEmpty()) {
            Log.warn("NOTIFY_SOCKET={} is neither a path nor @abstract: passed to the program as it is, whose messages"
                    + " systemd then takes only with NotifyAccess=all", notify);
            return Optional.empty();
        }
        String watchdogPid = env.get("WATCHDOG_PID");
        boolean watchdogIsOurs = watchdogPid == null || watchdogPid.equals(Long.toString(Processes.ownPid()));
        NotifySocket socket;
        try {
            socket = NotifySocket.open();
        } catch (SyscallException e) {
            Log.warn("{}: bandaid cannot relay sd_notify; the program gets NOTIFY_SOCKET as it is, whose messages systemd"
                    + " then takes only with NotifyAccess=all", e.getMessage());
            return Optional.empty();
        }
        NotifyRelay relay = new NotifyRelay(target.get(), socket,
                watchdogIsOurs ? Optional.ofNullable(env.get("WATCHDOG_USEC")) : Optional.empty());
        Log.debug("sd_notify: the program gets NOTIFY_SOCKET={}; bandaid passes its messages on to {}", relay.socket.address(), notify);
        return Optional.of(relay);
    }

    /** NOTIFY_SOCKET as sd_notify(3) reads it: an absolute path, or an abstract name after @. */
    static Optional<ListenAddress.Unix> target(String notify) {
        if (notify.startsWith("/")) {
            return Optional.of(new ListenAddress.Unix(notify, false));
        }
        if (notify.startsWith("@") && notify.length() > 1) {
            return Optional.of(new ListenAddress.Unix(notify.substring(1), true));
        }
        return Optional.empty();
    }

    /** Variables the program's environment loses: systemd's, meant for bandaid. */
    static final List<String> SYSTEMD_VARIABLES = List.of("NOTIFY_SOCKET", "WATCHDOG_PID", "WATCHDOG_USEC");

    /** What the program's environment gets instead. */
    List<String> programVariables() {
        List<String> variables = new ArrayList<>();
        variables.add("NOTIFY_SOCKET=" + socket.address());
        watchdogUsec.ifPresent(usec -> variables.add("WATCHDOG_USEC=" + usec));
        return variables;
    }

    /** What bandaid passes on of one message, and what it left out. */
    record Relayed(Optional<String> text, boolean fdStore, boolean mainPid) {
    }

    /** sd_notify(3): newline-separated VARIABLE=VALUE lines. */
    static Relayed relayed(String message) {
        List<String> kept = new ArrayList<>();
        boolean fdStore = false;
        boolean mainPid = false;
        for (String line : message.split("\n")) {
            if (line.startsWith("MAINPID=")) {
                mainPid = true;
            } else if (FD_STORE_FIELDS.stream().anyMatch(line::startsWith)) {
                fdStore = true;
            } else if (!line.isEmpty()) {
                kept.add(line);
            }
        }
        return new Relayed(kept.isEmpty() ? Optional.empty() : Optional.of(String.join("\n", kept)), fdStore, mainPid);
    }

    /** Passes messages on, on a daemon thread, for as long as bandaid runs. */
    void start() {
        long ownUid = Processes.ownUid();
        Thread.ofPlatform().name("bandaid-notify").daemon().start(() -> {
            while (true) {
                NotifySocket.Datagram d;
                try {
                    d = socket.receive();
                } catch (SyscallException e) {
                    Log.warn("{}: the program's sd_notify messages are no longer passed on", e.getMessage());
                    return;
                }
                try {
                    relay(d, ownUid);
                } finally {
                    NotifySocket.closeAll(d.fds());
                }
            }
        });
    }

    private void relay(NotifySocket.Datagram d, long ownUid) {
        String text = new String(d.text(), StandardCharsets.UTF_8);
        String shown = text.strip().replace("\n", " ");
        if (!fromTheProgram(d.pid(), d.uid(), ownUid)) {
            Log.debug("sd_notify from PID {}, not the program's: {} -> dropped", d.pid(), shown);
            return;
        }
        if (d.truncated()) {
            Log.warn("sd_notify from PID {}: a message longer than {} bytes -> dropped, as systemd would", d.pid(), NotifySocket.MOST_BYTES);
            return;
        }
        Relayed r = relayed(text);
        if (r.mainPid() && !warnedMainPid.getAndSet(true)) {
            Log.info("the program sent MAINPID=: not passed on; bandaid stays the service's main process (it forwards signals,"
                    + " answers the program's trapped calls and reports its exit)");
        }
        if (r.fdStore() && !warnedFdStore.getAndSet(true)) {
            Log.warn("the program stores fds with FDSTORE=1: not passed on to systemd (it would hand them back to bandaid"
                    + " in LISTEN_FDS on the next start, not to the program); its fds are closed");
        }
        if (r.text().isEmpty()) {
            return;
        }
        try {
            socket.send(systemd, r.text().get().getBytes(StandardCharsets.UTF_8), r.fdStore() ? List.of() : d.fds());
            Log.debug("sd_notify from PID {}: {} -> passed on", d.pid(), r.text().get().replace("\n", " "));
        } catch (SyscallException e) {
            Log.warn("sd_notify from PID {}: {} could not be passed on: {}", d.pid(), shown, e.getMessage());
        }
    }

    /** A descendant of bandaid's; or, once gone, a sender of bandaid's own uid. */
    private static boolean fromTheProgram(int pid, int uid, long ownUid) {
        return Processes.isOwnDescendant(pid).orElse(uid == ownUid);
    }
}
