package bandaid.supervisor;

import bandaid.nativeaccess.Descriptors;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SignalQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.tinylog.Logger;

/**
 * Passes the signals bandaid receives on to the program, so that {@code systemctl reload}
 * (ExecReload=kill -HUP $MAINPID), {@code systemctl kill} and a terminal's signals reach it.
 */
public final class SignalForwarder {
    public static final List<String> FORWARDED = List.of("TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH");

    private SignalForwarder() {
    }

    /**
     * Starts forwarding to {@code program} on a daemon thread; once it has exited, to the
     * processes it left running (a daemon, now bandaid's child). Says once which signals cannot
     * be forwarded because bandaid was not started with them blocked.
     */
    public static void start(Process program) {
        List<String> blocked = SignalQueue.blocked(FORWARDED);
        List<String> missing = new ArrayList<>(FORWARDED);
        missing.removeAll(blocked);
        if (!missing.isEmpty()) {
            Logger.warn("signals {} are not forwarded to the program: start bandaid through scripts/bandaid,"
                    + " which starts the JVM with them blocked", String.join(", ", missing));
        }
        if (blocked.isEmpty()) {
            return;
        }
        // ProcessBuilder gives no earlier moment to open the pidfd than right after the start.
        // A program already gone by then needs none (ESRCH). The pid could only name another
        // process if the JDK reaped ours and the pid was reused in that instant.
        OptionalInt pidfd = Processes.pidfdOpen(program.pid());
        SignalQueue queue = SignalQueue.open(blocked);
        Thread.ofPlatform().name("bandaid-signals").daemon().start(() -> {
            while (true) {
                Optional<SignalQueue.Received> received = queue.take();
                if (received.isEmpty()) {
                    return;
                }
                int signal = received.get().signal();
                if (received.get().fromKernel()) {
                    // A terminal's Ctrl-C reached the program too (same process group): passing
                    // it on would make the program see it twice.
                    Logger.debug("signal {} came from the terminal to the program as well: not passed on", signal);
                    continue;
                }
                if (pidfd.isEmpty() || !Processes.sendSignal(pidfd.getAsInt(), signal)) {
                    ProcessHandle.current().children().forEach(child -> sendTo(child.pid(), signal));
                }
            }
        });
    }

    private static void sendTo(long pid, int signal) {
        OptionalInt pidfd = Processes.pidfdOpen(pid);
        if (pidfd.isPresent()) {
            try {
                Processes.sendSignal(pidfd.getAsInt(), signal);
            } finally {
                Descriptors.close(pidfd.getAsInt(), "pidfd of " + pid);
            }
        }
    }
}
