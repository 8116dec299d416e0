package bandaid.supervisor;

import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.Signals;
import bandaid.service.Log;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * The program's processes as bandaid sees them: its descendants. bandaid is their child subreaper
 * (prctl(2), PR_SET_CHILD_SUBREAPER), so a daemon's orphans stay below it, and bandaid reaps each
 * one as it ends and can stop what the program left running.
 */
final class Descendants {
    private Descendants() {
    }

    /**
     * Reaps every child as it ends, the program and each orphan it leaves, so no zombie waits
     * while the program runs, and returns the program's status once nothing is left. A program
     * that daemonizes (its first process forks and exits, like nginx with "daemon on") leaves its
     * real server running: bandaid keeps answering its calls, since closing the listener would make
     * them fail with ENOSYS (seccomp_unotify(2)).
     *
     * @param whileOthersRun told the program's status when it ended before the processes it left
     * @return the program's exit status, 128+N when signal N killed it
     */
    static int reapUntilNoneLeft(int programPid, IntConsumer whileOthersRun) {
        Optional<Integer> status = Optional.empty();
        while (true) {
            Optional<Processes.Reaped> reaped = Processes.reapAnyChild();
            if (reaped.isEmpty()) {
                return status.orElseThrow(() -> new IllegalStateException("the program was never reaped"));
            }
            if (reaped.get().pid() == programPid) {
                status = Optional.of(reaped.get().status());
                if (anyLeft()) {
                    whileOthersRun.accept(status.get());
                }
            }
        }
    }

    static boolean anyLeft() {
        return !Processes.children().isEmpty();
    }

    /**
     * A graceful stop, as systemd's own: SIGTERM to the program and to what it left running;
     * whatever still runs after {@code grace} gets SIGKILL (on a thread of its own: this returns
     * at once).
     *
     * @param pidfd the program's pidfd, empty where pidfds are refused (then kill(2), safe while
     *              bandaid has not reaped it)
     */
    static void stop(int programPid, OptionalInt pidfd, Duration grace) {
        int term = Signals.number("TERM");
        if (pidfd.isPresent()) {
            Processes.sendSignal(pidfd.getAsInt(), term);
        } else {
            Processes.kill(programPid, term);
        }
        Processes.children().forEach(child -> Processes.signal(child, term));
        Thread.ofPlatform().name("bandaid-stop").daemon().start(() -> {
            long deadline = System.nanoTime() + grace.toNanos();
            while (System.nanoTime() < deadline && anyLeft()) {
                try {
                    TimeUnit.MILLISECONDS.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (anyLeft()) {
                Log.warn("the program did not stop within {} s of SIGTERM: SIGKILL", grace.toSeconds());
                killAll();
            }
        });
    }

    /**
     * SIGKILL to everything the program started, including what it left behind and bandaid (the
     * subreaper) inherited: unanswered calls must not hang them.
     */
    static void killAll() {
        int kill = Signals.number("KILL");
        Processes.descendants().forEach(pid -> Processes.signal(pid, kill));
    }
}
