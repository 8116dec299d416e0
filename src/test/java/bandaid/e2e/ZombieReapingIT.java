package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Orphans the program leaves (double-forked children that exit) are reaped while the program
 * still runs: bandaid is their subreaper, and no zombie piles up under it. (issue 12, item 9)
 */
class ZombieReapingIT {
    private static final int ORPHANS = 50;

    @Test
    void orphansAreReapedWhileTheProgramRuns() throws Exception {
        Bandaid.assumeWrapperMode("in broker mode the program is the service's main process, and systemd reaps its orphans");
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- "
                + Bandaid.PYTHON + " " + Programs.program("double-fork.py") + " " + ORPHANS)) {
            assertEquals("forked " + ORPHANS, run.line(), run.stderr());
            long bandaid = run.process.pid();
            // The last grandchild exits 50 ms after its fork; two seconds is plenty to reap them all.
            long deadline = System.nanoTime() + 2_000_000_000L;
            List<Long> zombies = zombieChildren(bandaid);
            while (!zombies.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(50);
                zombies = zombieChildren(bandaid);
            }
            assertEquals(List.of(), zombies, "zombies under bandaid while the program runs");
            run.send("");
            assertEquals(0, run.waitFor(), run.stderr());
        }
    }

    /** The pids whose parent is PARENT and whose state is Z (proc(5), /proc/PID/stat). */
    private static List<Long> zombieChildren(long parent) throws IOException {
        List<Long> zombies = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                String stat;
                try {
                    stat = Files.readString(proc.resolve("stat"));
                } catch (IOException gone) {
                    continue;
                }
                // pid (comm) state ppid ...: comm may hold spaces and parentheses.
                String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (rest[0].equals("Z") && Long.parseLong(rest[1]) == parent) {
                    zombies.add(Long.parseLong(proc.getFileName().toString()));
                }
            }
        }
        return zombies;
    }
}
