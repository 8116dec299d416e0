package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A bind() to a passed address on an fd that cannot take that address (stdin, a pipe, an AF_UNIX
 * socket, an AF_INET socket given an AF_INET6 address and the reverse) gets the kernel's own
 * answer (ENOTSOCK, EINVAL, EAFNOSUPPORT), and the fd stays what it was: it is not a match.
 * (issue 12, item 7)
 */
class BindOnWrongFdIT {

    @Test
    void theKernelsAnswerAndTheFdIsNotReplaced() throws Exception {
        String program = Programs.compiled("bind-wrong-fd");
        // What the kernel answers, without bandaid, on a free port.
        Bandaid.Run kernel = Bandaid.shell("exec " + program + " 127.0.0.1 " + Net.freePort());
        assertEquals(0, kernel.exitCode(), kernel.stderr());
        List<String> expected = kernel.stdout().lines().filter(l -> !l.startsWith("tcp ")).toList();
        assertEquals(List.of("stdin -1 88 same", "pipe -1 88 same", "unix -1 22 same", "inet-inet6 -1 97 same", "inet6-inet -1 22 same"),
                expected, "ENOTSOCK, ENOTSOCK, EINVAL, EAFNOSUPPORT, EINVAL");

        int port = Net.freePort();
        // The passed socket's inode, printed by the shell that passes it, then bandaid's run.
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:" + port + " -- bash -c "
                + "'stat -L -c \"passed %i\" /proc/self/fd/3; exec \"$BANDAID\" -- " + program + " 127.0.0.1 " + port + "'");
        assertEquals(0, run.exitCode(), run.stderr());
        List<String> lines = run.stdout().lines().toList();
        String passed = lines.getFirst().substring("passed ".length());
        assertEquals(expected, lines.subList(1, lines.size() - 1), "stdout:\n" + run.stdout() + "\nstderr:\n" + run.stderr());
        // The one right call still gets the passed socket.
        assertEquals("tcp 0 0 " + passed, lines.getLast(), run.stdout());
        ExitStatus.assertNoStackTrace(run.stderr());
    }
}
