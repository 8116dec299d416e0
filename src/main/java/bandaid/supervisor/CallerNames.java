package bandaid.supervisor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Names a caller the way log lines do, {@code nginx[1234]}, from /proc/PID/comm. Only used when
 * a line is actually logged (--verbose): reading /proc costs more than answering a call.
 */
public class CallerNames {
    public String of(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip() + "[" + pid + "]";
        } catch (IOException | RuntimeException e) {
            return "pid " + pid;
        }
    }
}
