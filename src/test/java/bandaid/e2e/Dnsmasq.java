package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/** dnsmasq as the matrix runs it: a DNS server only (no DHCP, no upstream), answering one name itself. */
final class Dnsmasq {
    static final String BINARY = "/usr/sbin/dnsmasq";
    static final String NAME = "test.example";
    static final String ADDRESS = "10.1.2.3";

    private Dnsmasq() {
    }

    /** Asserts that dnsmasq holds each of bandaid's passed fds 3 to 2 + {@code count}, and that no handout was warned about. */
    static void holdsEveryPassedSocketUnwarned(Bandaid.Activated a, int count) throws Exception {
        ProcessHandle dnsmasq = a.program(Duration.ofSeconds(5));
        int[] fds = IntStream.range(3, 3 + count).toArray();
        assertEquals(count, a.passedSockets(fds).size(), a.log());
        a.assertServedOnPassed(dnsmasq.pid(), fds);
        assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
    }

    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(Path.of(BINARY)), BINARY + " is not installed (apt-get install dnsmasq-base)");
    }

    /** bandaid's arguments that run dnsmasq in the foreground on {@code port}, logging to stderr. */
    static List<String> bandaidArgs(int port, String... mode) {
        List<String> args = new ArrayList<>(List.of("-v", "--", BINARY, "--keep-in-foreground", "--port=" + port,
                "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=", "--log-facility=-",
                "--address=/" + NAME + "/" + ADDRESS));
        args.addAll(List.of(mode));
        return args;
    }
}
