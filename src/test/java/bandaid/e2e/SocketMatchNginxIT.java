package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's rule, {@code --match=socket}, with nginx on two passed ports: what really happens.
 *
 * <p>socket() hands nginx the first unclaimed passed socket, already bound. nginx's bind() is
 * trapped too, but only an exact address finds a passed socket: then bind() puts that socket on
 * the fd, which also undoes a socket() that handed out the other port. Any other address (nginx's
 * usual {@code listen PORT;}, i.e. 0.0.0.0) runs in the kernel on the already bound passed socket
 * and fails with EINVAL (inet_bind(): "socket already bound", ip(7)), and nginx exits. The default
 * strategy serves that same configuration (NginxTwoPortsIT).
 */
class SocketMatchNginxIT {

    /** The known failure: nginx's own, usual configuration does not start under --match=socket. */
    @Test
    void wildcardListenFailsToBindAndNginxExits(@TempDir Path dir) throws Exception {
        int portA = Net.freePort();
        int portB = Net.freePort();
        List<String> program = Nginx.command(dir,
                new Nginx.Block(Integer.toString(portA), "port-a"), new Nginx.Block(Integer.toString(portB), "port-b"));
        try (Bandaid.Activated a = start(portA, portB, program)) {
            assertThrows(IOException.class, () -> Net.get("http://127.0.0.1:" + portA + "/"),
                    "nginx answered under --match=socket with listen " + portA + ";\n" + a.log());
            assertTrue(a.waitFor(Duration.ofSeconds(30)), "bandaid still runs\n" + a.log());
            assertEquals(1, a.process().exitValue(), a.log());
            String log = a.log();
            // bind(2): EINVAL "the socket is already bound to an address". nginx's own socket was
            // not: the socket it bound was the passed one socket() handed it. (bandaid's -v lines
            // for these calls are not asserted: each is written after the call was let go, on a
            // thread of its own, and nginx fails and exits at once, so bandaid may exit first.)
            assertTrue(log.contains("[emerg]") && log.contains("bind() to 0.0.0.0:" + portA + " failed (22: Invalid argument)"), log);
            assertThrows(IOException.class, () -> Net.get("http://127.0.0.1:" + portB + "/"), "port " + portB + " still answers\n" + log);
        }
    }

    /**
     * Not a failure: nginx creates its sockets in the order of its configuration, here the other
     * port first, so socket() hands it the wrong passed socket; its bind() to the exact address
     * then replaces it with the right one, and each port answers with its own server block.
     */
    @Test
    void exactAddressesInTheOtherOrderAreRightedByBind(@TempDir Path dir) throws Exception {
        int portA = Net.freePort();
        int portB = Net.freePort();
        List<String> program = Nginx.command(dir,
                new Nginx.Block("127.0.0.1:" + portB, "port-b"), new Nginx.Block("127.0.0.1:" + portA, "port-a"));
        try (Bandaid.Activated a = start(portA, portB, program)) {
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> ra = Net.get("http://127.0.0.1:" + portA + "/");
                assertEquals("port-a\n", ra.body(), "port " + portA + "\n" + a.log());
                HttpResponse<String> rb = Net.get("http://127.0.0.1:" + portB + "/");
                assertEquals("port-b\n", rb.body(), "port " + portB + "\n" + a.log());
            }
            assertEquals(Set.of(a.passedSocket(3)), ListeningSockets.onPort(portA), a.log());
            assertEquals(Set.of(a.passedSocket(4)), ListeningSockets.onPort(portB), a.log());
            // The first socket() got port A's socket (fd 3, the first passed), and the bind() to
            // port B on that very fd put B's socket there instead.
            String log = a.log();
            Matcher socket = Pattern.compile("socket\\(AF_INET, SOCK_STREAM\\) from [^\\n]* -> passed fd 3 \"unknown\" \\(127\\.0\\.0\\.1:"
                    + portA + "\\) as fd (\\d+)").matcher(log);
            assertTrue(socket.find(), log);
            assertTrue(Pattern.compile("bind\\(127\\.0\\.0\\.1:" + portB + "\\) from [^\\n]* fd " + socket.group(1) + " -> passed fd 4 ")
                    .matcher(log).find(), log);
            assertEquals(2, Nginx.workers(a.program(Duration.ofSeconds(5)), 2, Duration.ofSeconds(10)).size(), log);
        }
    }

    private static Bandaid.Activated start(int portA, int portB, List<String> program) throws Exception {
        List<String> args = new ArrayList<>(List.of("-v", "--match=socket"));
        args.addAll(program);
        return Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + portA, "-l", "127.0.0.1:" + portB), args);
    }
}
