package bandaid.supervisor;

import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SignalQueue;
import java.util.ArrayList;
import java.util.List;
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
     * Starts forwarding to the process behind {@code pidfd} on a daemon thread. Says once which
     * signals cannot be forwarded because bandaid was not started with them blocked.
     */
    public static void start(int pidfd) {
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
        SignalQueue queue = SignalQueue.open(blocked);
        Thread.ofPlatform().name("bandaid-signals").daemon().start(() -> {
            while (true) {
                OptionalInt signal = queue.take();
                if (signal.isEmpty()) {
                    return;
                }
                if (!Processes.sendSignal(pidfd, signal.getAsInt())) {
                    Logger.debug("signal {} not forwarded: the program has exited", signal.getAsInt());
                }
            }
        });
    }
}
