package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.NotHere;
import bandaid.socket.Family;
import bandaid.socket.SocketKind;
import bandaid.socket.SocketType;
import bandaid.bindings.Linux;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Both ways of looking at another process's socket agree on its family and type, for a non-leader
 * thread too. Where a seccomp filter this test runs under refuses pidfd_getfd(2) (systemd-nspawn's
 * does, with EPERM), only the protocol name's way is tested: it is then what bandaid uses.
 */
class CallerSocketsTest {
    private static final String SOCKETS = """
            import socket, sys
            kinds = [(socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET, socket.SOCK_DGRAM),
                     (socket.AF_INET6, socket.SOCK_STREAM), (socket.AF_INET6, socket.SOCK_DGRAM),
                     (socket.AF_UNIX, socket.SOCK_STREAM), (socket.AF_UNIX, socket.SOCK_DGRAM)]
            held = [socket.socket(f, t) for f, t in kinds]
            held[2].setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            print(" ".join(str(s.fileno()) for s in held), flush=True)
            sys.stdin.read()
            """;

    /** The family and type of each socket SOCKETS makes, in its order; the protocol name cannot tell a unix datagram socket (none). */
    private static final List<Optional<List<Object>>> BY_NAME = List.of(Optional.of(List.of(Family.INET, SocketType.STREAM)),
            Optional.of(List.of(Family.INET, SocketType.DGRAM)), Optional.of(List.of(Family.INET6, SocketType.STREAM)),
            Optional.of(List.of(Family.INET6, SocketType.DGRAM)), Optional.of(List.of(Family.UNIX, SocketType.STREAM)), Optional.empty());

    static void needsDuplicates() {
        NotHere.skipUnlessDuplicates("the duplicate's half (pidfd_getfd)");
    }

    private interface Check {
        void on(int pid, int[] fds) throws Exception;
    }

    /** Runs {@code check} on the sockets SOCKETS makes in a python process, which then ends. */
    private static void withSockets(Check check) throws Exception {
        Process python = new ProcessBuilder("/usr/bin/python3", "-c", SOCKETS).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
            check.on((int) python.pid(), Stream.of(out.readLine().split(" ")).mapToInt(Integer::parseInt).toArray());
        } finally {
            python.destroyForcibly();
            python.waitFor();
        }
    }

    @Test
    void theProtocolNameTellsTheFamilyAndType() throws Exception {
        withSockets((pid, fds) -> {
            for (int i = 0; i < fds.length; i++) {
                Optional<SocketKind> kind = CallerSockets.kindByName(pid, fds[i]);
                assertEquals(BY_NAME.get(i), kind.map(k -> List.<Object>of(k.family(), k.type())), "fd " + fds[i]);
            }
            assertEquals(Optional.empty(), CallerSockets.kindByName(pid, fds[2]).orElseThrow().v6Only(), "the name does not tell IPV6_V6ONLY");
            assertEquals(Optional.empty(), CallerSockets.kindByName(pid, 0), "stdin is a pipe, not a socket");
        });
    }

    @Test
    void theProtocolNameTellsWhatTheDuplicateTells() throws Exception {
        needsDuplicates();
        withSockets((pid, fds) -> {
            for (int fd : fds) {
                SocketKind duplicate = CallerSockets.kindByDuplicate(pid, fd).orElseThrow();
                Optional<SocketKind> byName = CallerSockets.kindByName(pid, fd);
                if (duplicate.family() == Family.UNIX && duplicate.type() == SocketType.DGRAM) {
                    assertEquals(Optional.empty(), byName, "\"UNIX\" is datagram or seqpacket: unknown");
                    continue;
                }
                assertTrue(byName.isPresent(), "fd " + fd + ": " + duplicate);
                assertEquals(duplicate.family(), byName.get().family(), "fd " + fd);
                assertEquals(duplicate.type(), byName.get().type(), "fd " + fd);
            }
            assertEquals(Optional.of(true), CallerSockets.kindByDuplicate(pid, fds[2]).orElseThrow().v6Only());
        });
    }

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
            SocketKind byName = CallerSockets.kindByName(tid, fd).orElseThrow();
            assertEquals(List.of(Family.INET, SocketType.DGRAM), List.of(byName.family(), byName.type()));
            needsDuplicates();
            Optional<SocketKind> kind = CallerSockets.kindByDuplicate(tid, fd);
            assertEquals(Optional.of(new SocketKind(Family.INET, SocketType.DGRAM, Optional.of(false))), kind);
        } finally {
            Fds.close(fd, "test socket");
        }
    }

    private static int socket(int family, int type) {
        return (int) Libc.check("socket", Libc.syscall(Linux.__NR_socket(), family, type, 0));
    }
}
