package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A trapped bind() is decoded once: the caller's address is read with exactly one
 * process_vm_readv(2), counted by strace over bandaid, for a program that binds the passed
 * address once (and is served on it). (issue 11: no double reads.)
 */
class OneReadPerBindIT {

    @Test
    void aCandidateBindReadsTheCallersMemoryOnce(@TempDir Path dir) throws Exception {
        Bandaid.assumeWrapperMode("strace follows bandaid and the program here; in broker mode the broker reads the program's"
                + " memory, in the same CallReader");
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "strace is not installed (apt-get install strace)");
        int port = Net.freePort();
        Path trace = dir.resolve("strace.log");
        // strace starts bandaid as its child: LISTEN_PID is set again by the process that becomes bandaid.
        Path program = Files.writeString(dir.resolve("bind-once.sh"), "export LISTEN_PID=$$\n"
                + "exec \"$BANDAID\" -- " + Bandaid.PYTHON + " -c 'import os, socket; s = socket.socket();"
                + " s.bind((\"127.0.0.1\", " + port + ")); s.listen(); print(os.getpid(), os.fstat(s.fileno()).st_ino)'\n");
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:" + port + " -- bash -c "
                + "'stat -L -c \"passed %i\" /proc/self/fd/3; exec strace -f -qq -e trace=process_vm_readv -o " + trace
                + " bash " + program + "'");
        assertEquals(0, run.exitCode(), run.stderr());
        List<String> out = run.stdout().lines().toList();
        String passed = out.get(0).substring("passed ".length());
        String[] pidAndInode = out.get(1).split(" ");
        assertEquals(passed, pidAndInode[1], "the program was served on the passed socket");
        List<String> reads = Files.readAllLines(trace).stream()
                .filter(l -> l.contains("process_vm_readv(" + pidAndInode[0] + ","))
                .toList();
        assertEquals(1, reads.size(), "process_vm_readv calls on the program:\n" + String.join("\n", reads));
        assertTrue(reads.getFirst().contains("= 16"), "the whole sockaddr_in in one read: " + reads.getFirst());
    }
}
