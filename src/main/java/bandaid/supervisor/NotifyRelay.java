package bandaid.supervisor;

import bandaid.nativeaccess.NotifySocket;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SyscallException;
import bandaid.service.Environment;
import bandaid.service.Log;
import bandaid.socket.Bytes;
import bandaid.socket.ListenAddress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Type=notify through bandaid: systemd takes sd_notify(3) messages only from the main pid,
 * bandaid, unless NotifyAccess=all, so the program gets a notify socket of bandaid's
 * ({@link NotifySocket}) and bandaid passes each message on to NOTIFY_SOCKET as itself (a path,
 * reachable from any network namespace: unix(7)). systemd then acts with the main pid's rights, so
 * only the program's own processes are heard, a message is read as systemd reads it
 * ({@link NotifyMessage}), only {@link #PASSED} and X_ names pass, as sent, and fds only with
 * BARRIER=1. Why each refusal, and WATCHDOG_USEC without WATCHDOG_PID (sd_watchdog_enabled(3)
 * compares it with getpid()): README.md, "Using it with systemd".
 */
final class NotifyRelay {
    /**
     * The assignments systemd acts on (src/core/service.c, service_notify_message, and
     * sd_notify(3) up to systemd 259) that concern only the service's own state, and are passed
     * on as sent.
     */
    static final Set<String> PASSED = Set.of("READY", "RELOADING", "STOPPING", "MONOTONIC_USEC", "STATUS", "ERRNO", "BUSERROR",
            "VARLINKERROR", "EXIT_STATUS", "EXTEND_TIMEOUT_USEC", "WATCHDOG", "WATCHDOG_USEC", "RESTART_RESET");
    private static final Set<String> MAIN_PID = Set.of("MAINPID", "MAINPIDFD", "MAINPIDFDID");
    private static final Set<String> FD_STORE = Set.of("FDSTORE", "FDSTOREREMOVE", "FDNAME", "FDPOLL");
    private static final String BARRIER = "BARRIER=1";
    /** How many different things bandaid remembers having said: a program cannot make it remember without end. */
    private static final int MOST_SAID = 64;

    private final ListenAddress.Unix systemd;
    private final NotifySocket socket;
    private final Optional<String> watchdogUsec;
    private final Set<String> said = new HashSet<>();

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

    /** Why bandaid does not pass something on. */
    enum Drop {
        MAIN_PID, NOTIFY_ACCESS, FD_STORE, UNKNOWN, READ_DIFFERENTLY, FDS, BARRIER, UNREADABLE
    }

    /** Something not passed on, and its name where it has one ("NAME=", or the line when it assigns nothing). */
    record Dropped(Drop why, String name) {
    }

    /**
     * What bandaid passes on of one message, and what it left out.
     *
     * @param text    the bytes to send (none: nothing is sent)
     * @param withFds whether the message's fds go along
     */
    record Relayed(byte[] text, boolean withFds, List<Dropped> dropped) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Relayed r && Arrays.equals(text, r.text) && withFds == r.withFds && dropped.equals(r.dropped);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(text) + Boolean.hashCode(withFds) + dropped.hashCode();
        }

        @Override
        public String toString() {
            return "Relayed[" + Bytes.printable(text) + (withFds ? " with fds" : "") + ", dropped " + dropped + "]";
        }
    }

    /**
     * What of one message (and {@code fds} fds that came with it) may reach systemd as the main
     * pid's: each assignment read as systemd reads it, kept by its name, passed as sent.
     */
    static Relayed relayed(byte[] message, int fds) {
        Optional<List<NotifyMessage.Assignment>> parsed = NotifyMessage.parse(message);
        if (parsed.isEmpty()) {
            return new Relayed(new byte[0], false, List.of(new Dropped(Drop.UNREADABLE, "")));
        }
        List<NotifyMessage.Assignment> assignments = parsed.get();
        List<Dropped> dropped = new ArrayList<>();
        if (assignments.stream().anyMatch(a -> a.reads(BARRIER))) {
            // systemd takes a message with BARRIER=1 as a barrier only, and ignores the rest of it.
            if (assignments.size() == 1 && fds == 1) {
                return new Relayed(BARRIER.getBytes(StandardCharsets.US_ASCII), true, List.of());
            }
            dropped.add(new Dropped(Drop.BARRIER, ""));
            return fds == 1 ? new Relayed(BARRIER.getBytes(StandardCharsets.US_ASCII), true, dropped) : new Relayed(new byte[0], false, dropped);
        }
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        for (NotifyMessage.Assignment a : assignments) {
            Optional<Drop> why = why(a);
            if (why.isPresent()) {
                dropped.add(new Dropped(why.get(), a.assigns() ? a.name() + "=" : a.name()));
                continue;
            }
            if (kept.size() > 0) {
                kept.write('\n');
            }
            kept.writeBytes(a.sent());
        }
        boolean explained = dropped.stream().anyMatch(d -> d.why() == Drop.FD_STORE || d.why() == Drop.MAIN_PID);
        if (fds > 0 && !explained) {
            dropped.add(new Dropped(Drop.FDS, ""));
        }
        return new Relayed(kept.toByteArray(), false, dropped);
    }

    /** Why an assignment is not passed on, by the name systemd reads; empty when it is. */
    private static Optional<Drop> why(NotifyMessage.Assignment a) {
        String name = a.name();
        if (!a.assigns()) {
            return Optional.of(Drop.UNKNOWN);
        }
        if (MAIN_PID.contains(name)) {
            return Optional.of(Drop.MAIN_PID);
        }
        if (name.equals("NOTIFYACCESS")) {
            return Optional.of(Drop.NOTIFY_ACCESS);
        }
        if (FD_STORE.contains(name)) {
            return Optional.of(Drop.FD_STORE);
        }
        if (!PASSED.contains(name) && !(name.startsWith("X_") && !name.startsWith("X_SYSTEMD_"))) {
            return Optional.of(Drop.UNKNOWN);
        }
        if (!a.readsTheSameToEverySystemd()) {
            return Optional.of(Drop.READ_DIFFERENTLY);
        }
        return Optional.empty();
    }

    /** Passes messages on, on a daemon thread, for as long as bandaid runs. */
    void start() {
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
                    relay(d);
                } finally {
                    NotifySocket.closeAll(d.fds());
                }
            }
        });
    }

    private void relay(NotifySocket.Datagram d) {
        String shown = Bytes.printable(d.text());
        if (d.sender() != NotifySocket.Sender.DESCENDANT) {
            Log.debug("sd_notify from PID {} ({}): {} -> dropped", d.pid(), d.sender(), shown);
            saySenderOnce(d);
            return;
        }
        if (d.truncated()) {
            if (firstTime("truncated")) {
                Log.warn("sd_notify from PID {}: a message longer than {} bytes, or with more fds than fit, is dropped, as systemd would",
                        d.pid(), NotifySocket.MOST_BYTES);
            }
            return;
        }
        Relayed r = relayed(d.text(), d.fds().size());
        r.dropped().forEach(this::say);
        if (r.text().length == 0) {
            Log.debug("sd_notify from PID {}: {} -> nothing to pass on", d.pid(), shown);
            return;
        }
        try {
            socket.send(systemd, r.text(), r.withFds() ? d.fds() : List.of());
            Log.debug("sd_notify from PID {}: {} -> passed on: {}", d.pid(), shown, Bytes.printable(r.text()));
        } catch (SyscallException e) {
            Log.warn("sd_notify from PID {}: {} could not be passed on: {}", d.pid(), shown, e.getMessage());
        }
    }

    /** Says once why messages of a sender are not heard. */
    private void saySenderOnce(NotifySocket.Datagram d) {
        if (!firstTime("sender " + d.sender())) {
            return;
        }
        switch (d.sender()) {
            case STRANGER -> Log.warn("sd_notify from PID {}, which is not one of the program's processes: dropped (NotifyAccess=main:"
                    + " only the program and the processes it starts speak to systemd through bandaid)", d.pid());
            case GONE -> Log.warn("sd_notify from PID {}, which had exited when bandaid read its message: dropped, since its pid may be"
                    + " another process's by then; a notifier must live until its message is read (sd_notify_barrier(3) after"
                    + " sd_notify(3), or systemd-notify without --no-block)", d.pid());
            default -> Log.warn("sd_notify from PID {}: bandaid cannot tell whether it is one of the program's processes (its /proc"
                    + " entry is hidden from bandaid, or its process tree kept changing): dropped", d.pid());
        }
    }

    /** Says once why something is not passed on: once for each name that moves the main pid or is unknown, once for the rest. */
    private void say(Dropped d) {
        Drop why = d.why();
        if (!firstTime(why == Drop.MAIN_PID || why == Drop.UNKNOWN ? why + " " + d.name() : why.name())) {
            return;
        }
        String name = Bytes.printable(d.name().getBytes(StandardCharsets.ISO_8859_1));
        switch (why) {
            case MAIN_PID -> Log.info("sd_notify: the program's {} is not passed on: bandaid stays the service's main process (it forwards"
                    + " signals, answers the program's trapped calls and reports its exit)", name);
            case NOTIFY_ACCESS -> Log.warn("sd_notify: the program's NOTIFYACCESS= is not passed on: it would let every process of the"
                    + " service speak to systemd as its main process, and make another one the main process");
            case FD_STORE -> Log.warn("sd_notify: the program stores fds with FDSTORE= (or FDSTOREREMOVE=, FDNAME=, FDPOLL=): not passed"
                    + " on to systemd, which would hand them back in LISTEN_FDS on the next start to bandaid, not to the program;"
                    + " their fds are closed");
            case UNKNOWN -> Log.info("sd_notify: the program's {} is not passed on: bandaid passes on only the assignments of sd_notify(3)"
                    + " known not to move the main process or open systemd's socket to others ({}), and X_ names of programs' own",
                    name, String.join(", ", new TreeSet<>(PASSED)));
            case READ_DIFFERENTLY -> Log.info("sd_notify: an assignment with an escaped line break, or a backslash in its name, is not"
                    + " passed on: older systemd takes a backslash as a byte, newer as an escape, and they would read it differently");
            case FDS -> Log.info("sd_notify: fds came with a message other than BARRIER=1: closed, not passed on (systemd takes fds only"
                    + " with FDSTORE=1, MAINPIDFD=1 and BARRIER=1)");
            case BARRIER -> Log.info("sd_notify: BARRIER=1 is passed on alone and with its one fd (sd_notify(3)); what came with it is"
                    + " dropped, as systemd ignores it");
            case UNREADABLE -> Log.info("sd_notify: a message with a NUL byte before its end, or ending in a backslash, is dropped:"
                    + " systemd ignores it as a whole");
        }
    }

    /** Whether {@code what} comes up for the first time (and is remembered now). */
    private boolean firstTime(String what) {
        return said.size() < MOST_SAID && said.add(what);
    }
}
