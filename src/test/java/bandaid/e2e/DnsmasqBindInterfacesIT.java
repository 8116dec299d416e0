package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * dnsmasq with --bind-interfaces on lo binds each of lo's addresses, 127.0.0.1:P and [::1]:P, TCP
 * and UDP: the unit passes those four, and each bind gets the socket of its exact address.
 */
class DnsmasqBindInterfacesIT {
    @Test
    void servesEachAddressOfLoFromItsPassedSockets() throws Exception {
        Dnsmasq.assumeInstalled();
        Net.assumeDualStackLoopback();
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("tcp:127.0.0.1:" + port + "=dns-tcp",
                "tcp6:[::1]:" + port + "=dns-tcp6", "udp:127.0.0.1:" + port + "=dns-udp", "udp6:[::1]:" + port + "=dns-udp6"),
                Dnsmasq.bandaidArgs(port, "--interface=lo", "--bind-interfaces"))) {
            for (String server : List.of("127.0.0.1", "::1")) {
                assertEquals(Dnsmasq.ADDRESS, Dns.a(server, port, Dnsmasq.NAME, false), a.log());
                assertEquals(Dnsmasq.ADDRESS, Dns.a(server, port, Dnsmasq.NAME, true), a.log());
            }
            ProcessHandle dnsmasq = a.program(Duration.ofSeconds(5));
            Set<String> passed = new HashSet<>();
            for (int fd = 3; fd <= 6; fd++) {
                passed.add(Net.fdTarget(a.pid(), fd));
            }
            assertTrue(Net.sockets(dnsmasq.pid()).containsAll(passed), "dnsmasq holds " + Net.sockets(dnsmasq.pid())
                    + ", not all four passed " + passed + "\n" + a.log());
            assertEquals(new HashSet<>(List.of(Net.fdTarget(a.pid(), 3), Net.fdTarget(a.pid(), 4))),
                    new HashSet<>(ServerProbe.listeningOn(port)), a.log());
            assertTrue(a.log().lines().noneMatch(l -> l.startsWith("bandaid: WARN")), a.log());
        }
    }
}
