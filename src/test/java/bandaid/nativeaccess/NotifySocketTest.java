package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bandaid's notify socket on the real kernel: who sent each datagram, told when it is read (this
 * test's JVM stands for bandaid, python processes for the program's and for strangers), and every
 * fd that came with one is bandaid's to close, the sender's pidfd closed already.
 */
class NotifySocketTest {
    /**
     * python3 -c SEND NAME MESSAGE [FDS] [MODE]: sends MESSAGE to the abstract NAME with FDS pipes'
     * write ends, and exits; MODE "wait" then says "sent PID" and waits for stdin to close;
     * "orphan" first double-forks (the sender's parent exits, so it is reparented away from this
     * JVM) and sleeps after sending, until killed (the JVM closes the pipes of a child that exited).
     */
    private static final String SEND = """
            import os, socket, sys, array
            name, message = sys.argv[1], sys.argv[2].encode()
            fds, mode = int(sys.argv[3]) if len(sys.argv) > 3 else 0, sys.argv[4] if len(sys.argv) > 4 else ""
            if mode == "orphan":
                if os.fork():
                    os._exit(0)
                os.setsid()
                if os.fork():
                    os._exit(0)
            pipes = [os.pipe()[1] for _ in range(fds)]
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            rights = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", pipes).tobytes())] if pipes else []
            s.sendmsg([message], rights, 0, "\\0" + name)
            if mode == "wait":
                print("sent", os.getpid(), flush=True)
                sys.stdin.read()
            if mode == "orphan":
                import time
                time.sleep(60)
            """;

    private NotifySocket socket;

    @BeforeEach
    void open() {
        socket = NotifySocket.open();
    }

    @AfterEach
    void close() {
        socket.close();
    }

    @Test
    void theProgramsProcessesAreDescendantsWhateverTheirDepth() throws Exception {
        Process child = send("READY=1", 0, "wait");
        NotifySocket.Datagram d = receive();
        assertEquals("READY=1", new String(d.text(), StandardCharsets.UTF_8));
        assertEquals(child.pid(), d.pid());
        assertEquals(NotifySocket.Sender.DESCENDANT, d.sender());
        child.getOutputStream().close();
        child.waitFor();
        // bash, then python: a grandchild (bash does not exec a command followed by another).
        Process bash = new ProcessBuilder("bash", "-c", "/usr/bin/python3 -c \"$0\" \"$@\"; true", SEND, name(), "STATUS=deep", "0", "wait")
                .start();
        String sent = new BufferedReader(new InputStreamReader(bash.getInputStream())).readLine();
        d = receive();
        assertEquals(NotifySocket.Sender.DESCENDANT, d.sender(), sent);
        assertEquals(sent, "sent " + d.pid());
        bash.getOutputStream().close();
        bash.waitFor();
    }

    @Test
    void aProcessThatIsNotADescendantIsAStranger() throws Exception {
        String message = "STATUS=an orphan " + System.nanoTime();
        send(message, 0, "orphan");
        NotifySocket.Datagram d = receive();
        try {
            assertEquals(message, new String(d.text(), StandardCharsets.UTF_8));
            assertEquals(NotifySocket.Sender.STRANGER, d.sender());
        } finally {
            ProcessHandle.of(d.pid()).ifPresent(ProcessHandle::destroy);
        }
    }

    @Test
    void aSenderReapedBeforeTheDatagramIsReadIsGone() throws Exception {
        Process child = send("READY=1", 0, "");
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        child.toHandle().onExit().get(10, TimeUnit.SECONDS); // reaped by the JVM
        NotifySocket.Datagram d = receive();
        assertEquals(child.pid(), d.pid());
        assertEquals(NotifySocket.Sender.GONE, d.sender());
    }

    @Test
    void everyFdThatCameIsBandaidsToCloseAndNoPidfdStays() throws Exception {
        assumeTrue(socket.passesPidfds() || !kernelAtLeast(6, 5), "SO_PASSPIDFD refused on Linux >= 6.5: the number is wrong");
        long pidfds = fdTargets().stream().filter(t -> t.equals("anon_inode:[pidfd]")).count();
        List<String> received = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Process child = send("STATUS=" + i, 2, "");
            NotifySocket.Datagram d = receive();
            assertEquals(2, d.fds().size());
            for (int fd : d.fds()) {
                received.add(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
            }
            NotifySocket.closeAll(d.fds());
            child.waitFor();
        }
        List<String> open = fdTargets();
        assertEquals(40, received.stream().filter(t -> t.startsWith("pipe:")).distinct().count(), received.toString());
        assertEquals(List.of(), received.stream().filter(open::contains).toList(), "fds that came with a datagram, still open");
        assertEquals(pidfds, open.stream().filter(t -> t.equals("anon_inode:[pidfd]")).count(), "senders' pidfds left open");
    }

    /**
     * SO_PASSPIDFD and SCM_PIDFD are written down by hand: equal to the system headers where they
     * have them (those of Linux 6.5 and later), and on a kernel that knows SO_PASSPIDFD, setting it
     * must be accepted (a wrong number is refused, or sets another option).
     */
    @Test
    void handWrittenNumbersAreTheHeadersAndTheKernels(@TempDir Path dir) throws Exception {
        Commands.needsGcc("the comparison of SO_PASSPIDFD with the headers");
        Path source = Files.writeString(dir.resolve("numbers.c"), """
                #include <stdio.h>
                #include <sys/socket.h>
                int main(void) {
                #ifdef SO_PASSPIDFD
                    printf("SO_PASSPIDFD %d\nSCM_PIDFD %d\n", SO_PASSPIDFD, SCM_PIDFD);
                #endif
                    return 0;
                }
                """);
        Path binary = dir.resolve("numbers");
        Commands.run(List.of("gcc", "-o", binary.toString(), source.toString()));
        List<String> printed = Commands.run(List.of(binary.toString()));
        if (!printed.isEmpty()) {
            assertEquals(List.of("SO_PASSPIDFD " + NotifySocket.SO_PASSPIDFD, "SCM_PIDFD " + NotifySocket.SCM_PIDFD), printed);
        }
        if (kernelAtLeast(6, 5)) {
            assertTrue(socket.passesPidfds(), "setsockopt(SO_PASSPIDFD) refused on Linux " + System.getProperty("os.version"));
        }
    }

    private String name() {
        return new String(socket.address().name(), StandardCharsets.ISO_8859_1);
    }

    private Process send(String message, int fds, String mode) throws IOException {
        return new ProcessBuilder("/usr/bin/python3", "-c", SEND, name(), message, Integer.toString(fds), mode)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private NotifySocket.Datagram receive() throws Exception {
        return CompletableFuture.supplyAsync(socket::receive).get(10, TimeUnit.SECONDS);
    }

    /** What each of this process's fds is (readlink of /proc/self/fd/N). */
    private static List<String> fdTargets() throws IOException {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // closed since it was listed
                }
            }
        }
        return targets;
    }

    private static boolean kernelAtLeast(int major, int minor) {
        String[] v = System.getProperty("os.version").split("[.-]");
        int ma = Integer.parseInt(v[0]);
        int mi = Integer.parseInt(v[1]);
        return ma > major || (ma == major && mi >= minor);
    }
}
