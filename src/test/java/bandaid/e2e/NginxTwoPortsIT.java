package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * nginx, a master and two workers, on two ports systemd passed: each port answers with its own
 * server block, and what accepts the connections are the passed sockets, held by both workers.
 */
class NginxTwoPortsIT {

    @Test
    void eachPortAnswersWithItsOwnServerBlockOnThePassedSocket(@TempDir Path dir) throws Exception {
        int portA = Net.freePort();
        int portB = Net.freePort();
        assertServesBothPorts(portA, portB, Nginx.command(dir,
                new Nginx.Block("127.0.0.1:" + portA, "port-a"), new Nginx.Block("127.0.0.1:" + portB, "port-b")));
    }

    /**
     * Most nginx configurations say {@code listen PORT;} (0.0.0.0) and leave the address to the
     * .socket unit: the same port with a wildcard on one side gets that port's passed socket.
     */
    @Test
    void wildcardListenGetsThePassedSocketOfItsPort(@TempDir Path dir) throws Exception {
        int portA = Net.freePort();
        int portB = Net.freePort();
        assertServesBothPorts(portA, portB, Nginx.command(dir,
                new Nginx.Block(Integer.toString(portA), "port-a"), new Nginx.Block(Integer.toString(portB), "port-b")));
    }

    private static void assertServesBothPorts(int portA, int portB, List<String> program) throws Exception {
        List<String> args = new ArrayList<>(List.of("-v"));
        args.addAll(program);
        try (Bandaid.Activated a = Bandaid.Activated.start(
                List.of("-l", "127.0.0.1:" + portA, "-l", "127.0.0.1:" + portB, "--fdname=http:https"), args)) {
            // Several requests each, so that either worker may take them (nginx's default
            // EPOLLEXCLUSIVE wakes one of the two); every one must come from its port's block.
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> a1 = Net.get("http://127.0.0.1:" + portA + "/");
                assertEquals(200, a1.statusCode(), a.log());
                assertEquals("port-a\n", a1.body(), "port " + portA + " answered from the wrong server block\n" + a.log());
                HttpResponse<String> b1 = Net.get("http://127.0.0.1:" + portB + "/");
                assertEquals(200, b1.statusCode(), a.log());
                assertEquals("port-b\n", b1.body(), "port " + portB + " answered from the wrong server block\n" + a.log());
            }

            // bandaid holds the passed sockets as fds 3 and 4, in the -l order. They must be the
            // only sockets listening on those ports: nginx's own sockets never got to listen.
            String passedA = a.passedSocket(3);
            String passedB = a.passedSocket(4);
            assertEquals(Set.of(passedA), ListeningSockets.onPort(portA), "listening on " + portA + "\n" + a.log());
            assertEquals(Set.of(passedB), ListeningSockets.onPort(portB), "listening on " + portB + "\n" + a.log());

            // Both workers accept on exactly those two listening sockets.
            ProcessHandle master = a.program(Duration.ofSeconds(5));
            List<ProcessHandle> workers = Nginx.workers(master, 2, Duration.ofSeconds(10));
            assertEquals(2, workers.size(), "nginx workers: " + workers + "\n" + a.log());
            for (ProcessHandle worker : workers) {
                Set<String> listening = new HashSet<>(Net.sockets(worker.pid()));
                listening.retainAll(ListeningSockets.all().keySet());
                assertEquals(Set.of(passedA, passedB), listening,
                        "worker " + worker.pid() + " listens on " + listening + ", passed are " + passedA + " and " + passedB + "\n" + a.log());
            }
            assertTrue(a.log().contains("Received fd 3 \"http\""), a.log());
        }
    }
}
