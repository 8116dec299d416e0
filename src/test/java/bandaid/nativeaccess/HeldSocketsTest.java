package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.socket.ListenAddress;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What bandaid sees of another process's sockets: only a connected stream socket has a local
 * address to report, an accepted one carries its listener's address, and one whose client has
 * closed its side says so, with what is left unread. Where a seccomp filter this test runs under
 * refuses pidfd_getfd(2), the addresses are not asked (CallerSocketsTest says so); the fd table
 * and the protocol names, bandaid's way there, still are.
 */
class HeldSocketsTest {
    private static final String SOCKETS = """
            import os, socket, sys
            listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen()
            client = socket.create_connection(listener.getsockname())
            accepted, _ = listener.accept()
            unconnected = socket.socket()
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            path = "\\0bandaid-held-%d" % os.getpid()
            ulistener = socket.socket(socket.AF_UNIX); ulistener.bind(path); ulistener.listen()
            uclient = socket.socket(socket.AF_UNIX); uclient.connect(path)
            uaccepted, _ = ulistener.accept()
            gone = socket.create_connection(listener.getsockname())
            gone_accepted, _ = listener.accept()
            gone.sendall(b"abc"); gone.close()
            ugone = socket.socket(socket.AF_UNIX); ugone.connect(path)
            ugone_accepted, _ = ulistener.accept()
            ugone.close()
            held = [listener, accepted, unconnected, udp, ulistener, uaccepted, gone_accepted, ugone_accepted]
            print(listener.getsockname()[1], path[1:], *[s.fileno() for s in held], flush=True)
            sys.stdin.read()
            """;

    @Test
    void onlyConnectedStreamSocketsHaveALocalAddressToReport() throws Exception {
        Process python = new ProcessBuilder("/usr/bin/python3", "-c", SOCKETS).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
            String[] f = out.readLine().split(" ");
            int port = Integer.parseInt(f[0]);
            ListenAddress.Unix abstractName = new ListenAddress.Unix(f[1], true);
            int listener = Integer.parseInt(f[2]);
            int accepted = Integer.parseInt(f[3]);
            int unconnected = Integer.parseInt(f[4]);
            int udp = Integer.parseInt(f[5]);
            int unixListener = Integer.parseInt(f[6]);
            int unixAccepted = Integer.parseInt(f[7]);
            int goneAccepted = Integer.parseInt(f[8]);
            int unixGoneAccepted = Integer.parseInt(f[9]);

            Map<Integer, Long> sockets = HeldSockets.of(python.pid());
            for (int fd : new int[] {listener, accepted, unconnected, udp, unixListener, unixAccepted}) {
                assertTrue(sockets.containsKey(fd), "fd " + fd + " in " + sockets);
            }
            assertTrue(!sockets.containsKey(0), "stdin is a pipe");

            assertEquals(Optional.of("TCP"), HeldSockets.protocolName(python.pid(), accepted));
            assertEquals(Optional.empty(), HeldSockets.protocolName(python.pid(), 0));
            CallerSocketsTest.needsDuplicates();
            int pidfd = Processes.pidfdOpen(python.pid()).orElseThrow();
            try {
                HeldSockets.Connection live = HeldSockets.connection(pidfd, accepted, 7).orElseThrow();
                assertEquals(port, ((ListenAddress.Inet) live.local()).port());
                assertEquals(new HeldSockets.Connection(live.local(), 7, false, 0, 0), live);
                assertEquals(Optional.of(new HeldSockets.Connection(abstractName, 8, false, 0, 0)),
                        HeldSockets.connection(pidfd, unixAccepted, 8));
                // The client sent three bytes and closed: CLOSE_WAIT, with the bytes still unread.
                HeldSockets.Connection gone = HeldSockets.connection(pidfd, goneAccepted, 9).orElseThrow();
                assertEquals(new HeldSockets.Connection(live.local(), 9, true, 0, 3), gone);
                assertEquals(Optional.of(new HeldSockets.Connection(abstractName, 10, true, 0, 0)),
                        HeldSockets.connection(pidfd, unixGoneAccepted, 10));
                for (int fd : new int[] {listener, unconnected, udp, unixListener, 0, 999}) {
                    assertEquals(Optional.empty(), HeldSockets.connection(pidfd, fd, 0), "fd " + fd);
                }
            } finally {
                Fds.close(pidfd, "test pidfd");
            }
        } finally {
            python.destroyForcibly();
            python.waitFor();
        }
    }
}
