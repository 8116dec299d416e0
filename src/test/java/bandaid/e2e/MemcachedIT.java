package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * memcached answers on the passed socket. Started as root it must be told a user (-u), and it
 * drops to that user before it binds (memcached 1.6: strace shows setuid() before bind()), so
 * bandaid answers a bind() from a process that is no longer root and no longer dumpable.
 */
class MemcachedIT {
    private static final String MEMCACHED = "/usr/bin/memcached";

    @Test
    void answersVersionOnThePassedSocket() throws Exception {
        int port = Net.freePort();
        boolean root = ProcessHandle.current().info().user().equals(Optional.of("root"));
        // -U 0: no UDP port (none is passed); -u: memcached refuses to run as root without it.
        List<String> command = new ArrayList<>(List.of("-v", "--", MEMCACHED, "-l", "127.0.0.1", "-p", Integer.toString(port), "-U", "0"));
        if (root) {
            command.addAll(List.of("-u", "nobody"));
        }
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port), command)) {
            String answer = ServerProbe.line("127.0.0.1", port, "version\r\n");
            assertTrue(answer.matches("VERSION \\S+\r\n"), answer + "\n" + a.log());

            String passed = a.passedSocket(3);
            ProcessHandle memcached = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(memcached.pid(), 3);
            assertEquals(Set.of(passed), ListeningSockets.onPort(port), a.log());
            if (root) {
                assertEquals(Optional.of("nobody"), memcached.info().user(), a.log());
            }
        }
    }
}
