package bandaid.supervisor;

import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.Signals;
import java.util.List;

/** How bandaid's process ends when the program ended by a signal: by that signal too. */
public final class Ending {
    /**
     * Signals that end a program without a core dump. When one ended the program, bandaid ends
     * by it too, as timeout(1) does: a shell still reports 128+N, and systemd sees the main
     * process "killed by SIGTERM", a clean stop (systemd.service(5), SuccessExitStatus=), where
     * exit status 143 would mark the unit failed after every systemctl stop.
     */
    static final List<String> PASSED_ON_DEATHS = List.of("HUP", "INT", "PIPE", "ALRM", "TERM", "USR1", "USR2", "KILL");

    private Ending() {
    }

    /** Ends the process by signal N when {@code status} is 128+N for one of those signals; else returns. */
    public static void dieLikeTheProgram(int status) {
        if (status > 128) {
            for (String name : PASSED_ON_DEATHS) {
                if (status - 128 == Signals.number(name)) {
                    Processes.dieBy(status - 128);
                }
            }
        }
    }
}
