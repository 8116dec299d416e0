package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The handoff of a passed socket raced the ways a careless program races its own fds, at random
 * moments for a bounded time (fd-handoff-races.c): another thread dup2()s a file over the fd
 * being bound, closes it, or closes it and opens another file on the same number; a child that
 * binds is SIGKILLed. bandaid checks, as the last step before it puts the passed socket on the
 * fd, that the fd still holds the socket looked at (FdChangedMidBindTest pins that down
 * deterministically); this run shows that under random timing the check engages, the program is
 * never killed, bandaid's own fds do not leak, and the program serves afterwards. A change that
 * lands in the moment between the check and the caller's thread installing the socket cannot
 * be seen (README, limitations): those rounds are counted and printed, not failed.
 * (issue 23, item 7 and its closing ask)
 */
class FdHandoffRacesIT {
    /** How long the rounds run: bounded, so the suite's time stays what it was. */
    private static final int RACE_MILLIS = 4000;

    @Test
    void racedHandoffsNeverKillLeakOrReplaceWhatTheCheckSees() throws Exception {
        int port = Net.freePort();
        String races = Programs.compiled("fd-handoff-races");
        try (Programs.Interactive run = new Programs.Interactive("exec " + Programs.PASS + " tcp:127.0.0.1:" + port
                + " -- \"$BANDAID\" -v -- " + races + " 127.0.0.1 " + port + " " + RACE_MILLIS)) {
            assertEquals("start", run.line(), run.stderr());
            // What answers the calls: bandaid, or in broker mode the broker.
            long answerer = Bandaid.BROKER_MODE ? TestBroker.shared().pid() : run.process.pid();
            long fdsBefore = settledFds(answerer);
            String before = fdList(answerer);
            run.send("go");
            Map<String, int[]> counts = new HashMap<>();
            for (String line = run.line(); !line.equals("ready"); line = run.line()) {
                String[] f = line.split(" "); // KIND R rounds W wrong
                counts.put(f[0], new int[] {Integer.parseInt(f[1]), Integer.parseInt(f[3])});
            }
            // The program waits in accept() now: bandaid's looks are over.
            assertEquals(fdsBefore, settledFds(answerer), "bandaid's own fds after the rounds: before " + before
                    + ", after " + fdList(answerer));
            assertEquals("hello\n", Clients.readTcp("127.0.0.1", port, Duration.ofSeconds(10)), run.stderr());
            assertEquals(0, run.waitFor(), "the program's own status; stderr:\n" + run.stderr());
            String log = run.stderr();
            ExitStatus.assertNoStackTrace(log);
            for (String kind : new String[] {"dup2", "reopen", "close", "exit"}) {
                assertTrue(counts.containsKey(kind) && counts.get(kind)[0] >= 50, kind + " rounds: " + counts);
            }
            assertEquals(0, counts.get("exit")[1], "a killed child's bind leaves nothing wrong in the program");
            long caught = log.lines().filter(l -> l.contains("no longer holds the socket that called bind()")).count();
            System.out.printf("fd-handoff-races: %s; changes caught by the check: %d%n", describe(counts), caught);
            assertTrue(caught > 0, "the check never saw a changed fd: " + describe(counts));
        }
    }

    /** bandaid's open fds once its start is over (it opens a pidfd and a signalfd after the program starts). */
    private static long settledFds(long pid) throws Exception {
        long fds = Programs.openFds(pid);
        for (int same = 0, tries = 0; same < 10 && tries < 100; tries++) {
            Thread.sleep(100);
            long now = Programs.openFds(pid);
            same = now == fds ? same + 1 : 0;
            fds = now;
        }
        return fds;
    }

    /** bandaid's fds and what each holds, to say which one leaked. */
    private static String fdList(long pid) throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(p -> {
                try {
                    return p.getFileName() + "=" + Files.readSymbolicLink(p);
                } catch (IOException e) {
                    return p.getFileName() + "=?";
                }
            }).sorted().toList().toString();
        }
    }

    private static String describe(Map<String, int[]> counts) {
        StringBuilder s = new StringBuilder();
        counts.forEach((kind, c) -> s.append(kind).append(' ').append(c[1]).append('/').append(c[0]).append(" wrong, "));
        return s.toString();
    }
}
