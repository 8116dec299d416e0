package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 25: a server that connect()s to its own address before it binds it, to see whether
 * another copy of itself runs there (mariadbd and pgbouncer do so on their unix socket), finds
 * nobody there without socket activation. Under bandaid the passed socket already listens there:
 * until the program has bound that address, its connect() is refused as the kernel refuses one
 * with nobody listening (ECONNREFUSED); once bound, its connects reach the passed socket (its
 * own health check still reaches itself). src/test/resources/programs/probe-then-serve.py does
 * both and prints what it got.
 */
class SelfProbeIT {
    @TempDir
    Path dir;

    @Test
    void aProbeOfAPassedUnixPathBeforeTheBindIsRefusedAndTheHealthCheckAfterItReachesTheServer() throws Exception {
        String path = dir.toRealPath().resolve("app.sock").toString();
        List<String> lines = probeThenServe("unix:" + path, path);
        assertEquals("probe: ECONNREFUSED", lines.get(1), String.join("\n", lines));
        assertEquals("bound: " + lines.get(0), lines.get(2), "the program serves on the passed socket:\n" + String.join("\n", lines));
        assertEquals("health: OK", lines.get(3), String.join("\n", lines));
    }

    @Test
    void aProbeOfAPassedUnixPathSpeltAnotherWayIsRefusedToo() throws Exception {
        Path real = dir.toRealPath();
        String path = real.resolve("app.sock").toString();
        // the same file through "..": only the file itself tells (as for bind)
        String spelt = real.resolve("sub/../app.sock").toString();
        java.nio.file.Files.createDirectory(real.resolve("sub"));
        List<String> lines = probeThenServe("unix:" + path, spelt);
        assertEquals("probe: ECONNREFUSED", lines.get(1), String.join("\n", lines));
        assertEquals("bound: " + lines.get(0), lines.get(2), String.join("\n", lines));
        assertEquals("health: OK", lines.get(3), String.join("\n", lines));
    }

    @Test
    void aProbeOfAPassedTcpAddressBeforeTheBindIsRefusedAndTheHealthCheckAfterItReachesTheServer() throws Exception {
        int port = Net.freePort();
        List<String> lines = probeThenServe("tcp:127.0.0.1:" + port, "127.0.0.1:" + port);
        assertEquals("probe: ECONNREFUSED", lines.get(1), String.join("\n", lines));
        assertEquals("bound: " + lines.get(0), lines.get(2), String.join("\n", lines));
        assertEquals("health: OK", lines.get(3), String.join("\n", lines));
    }

    @Test
    void aProbeOfAWildcardPassedPortThroughTheLoopbackIsRefusedToo() throws Exception {
        int port = Net.freePort();
        // the program binds 0.0.0.0:P as it was passed, and probes 127.0.0.1:P, which reaches it
        List<String> lines = probeThenServe("tcp:0.0.0.0:" + port, "127.0.0.1:" + port, "0.0.0.0:" + port);
        assertEquals("probe: ECONNREFUSED", lines.get(1), String.join("\n", lines));
        assertEquals("bound: " + lines.get(0), lines.get(2), String.join("\n", lines));
        assertEquals("health: OK", lines.get(3), String.join("\n", lines));
    }

    /**
     * Runs probe-then-serve.py under bandaid with one socket passed and returns the passed
     * socket's inode, then the program's lines.
     */
    private static List<String> probeThenServe(String spec, String probe, String... bind) throws Exception {
        String program = Programs.program("probe-then-serve.py");
        String args = "'" + probe + "'" + (bind.length > 0 ? " '" + bind[0] + "'" : "");
        // fd 3 is the passed socket in the shell pass-sockets.py execs; bandaid keeps its pid
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " '" + spec + "' -- bash -c "
                + "'readlink /proc/$$/fd/3 | tr -dc 0-9; echo; exec \"$BANDAID\" -- " + Bandaid.PYTHON + " " + program + " " + args.replace("'", "")
                + "'");
        assertEquals(0, run.exitCode(), run.stderr() + run.stdout());
        List<String> lines = run.stdout().lines().toList();
        assertEquals(4, lines.size(), run.stdout() + run.stderr());
        return lines;
    }
}
