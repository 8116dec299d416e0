package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.activation.Family;
import bandaid.activation.SocketType;
import bandaid.bindings.Linux;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** CallerSockets looks at a socket of a thread that is not its process's thread-group leader. */
class CallerSocketsTest {

    @Test
    void describesASocketOfANonLeaderThread() throws Throwable {
        // /proc/thread-self is PID/task/TID (proc(5)). The JVM runs no Java code on its
        // process's first thread, so this test's thread is never the leader: a Go program's
        // bind() comes from such a thread too.
        Path threadSelf = Files.readSymbolicLink(Path.of("/proc/thread-self"));
        int pid = Integer.parseInt(threadSelf.getName(0).toString());
        int tid = Integer.parseInt(threadSelf.getName(2).toString());
        assertNotEquals(pid, tid, "the test must run on a thread that is not the leader");

        int fd = socket(Linux.AF_INET(), Linux.SOCK_DGRAM());
        try {
            Optional<CallerSockets.Kind> kind = CallerSockets.describe(tid, fd);
            assertEquals(Optional.of(new CallerSockets.Kind(Family.INET, SocketType.DGRAM, false)), kind);
        } finally {
            Descriptors.close(fd, "test socket");
        }
    }

    private static int socket(int family, int type) throws Throwable {
        try (Libc.CallState state = new Libc.CallState()) {
            long fd = (long) Libc.SYSCALL3.invokeExact(state.errno, (long) Linux.__NR_socket(), (long) family, (long) type, 0L);
            assertTrue(fd >= 0, "socket(): errno " + state.errno());
            return (int) fd;
        }
    }
}
