package bandaid.supervisor;

import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SignalQueue;
import bandaid.service.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Passes the signals bandaid receives on to the program, so that {@code systemctl reload}
 * (ExecReload=kill -HUP $MAINPID), {@code systemctl kill} and a terminal's signals reach it.
 */
final class SignalForwarder {
    /**
     * The signals passed on. scripts/lib/launch.sh starts the JVM with exactly these blocked
     * (SignalListTest holds the two lists together).
     */
    static final List<String> FORWARDED = List.of("TERM", "INT", "HUP", "QUIT", "USR1", "USR2", "WINCH");

    private SignalForwarder() {
    }

    /**
     * Starts forwarding to the program on a daemon thread; once it has exited, to the processes
     * it left running (a daemon, now bandaid's child). Says once which signals cannot be
     * forwarded because bandaid was not started with them blocked.
     *
     * @param pidfd the program's pidfd; empty when pidfds are refused here (then kill(2), safe
     *              while bandaid has not reaped the program, since an unreaped pid is not reused)
     */
    static void start(int pid, OptionalInt pidfd) {
        List<String> blocked = SignalQueue.blocked(FORWARDED);
        List<String> missing = new ArrayList<>(FORWARDED);
        missing.removeAll(blocked);
        if (!missing.isEmpty()) {
            Log.warn("signals {} are not forwarded to the program: start bandaid through scripts/bandaid,"
                    + " which starts the JVM with them blocked", String.join(", ", missing));
        }
        if (blocked.isEmpty()) {
            return;
        }
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
                    Log.debug("signal {} came from the terminal to the program as well: not passed on", signal);
                    continue;
                }
                boolean delivered = pidfd.isPresent() ? Processes.sendSignal(pidfd.getAsInt(), signal) : Processes.kill(pid, signal);
                if (!delivered) {
                    Processes.children().forEach(child -> Processes.signal(child, signal));
                }
            }
        });
    }
}
