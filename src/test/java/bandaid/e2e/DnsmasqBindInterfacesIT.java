package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
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
            Dns.answersOnBothFamilies(a, port, Dnsmasq.NAME, Dnsmasq.ADDRESS);
            Dnsmasq.holdsEveryPassedSocketUnwarned(a, 4);
            assertEquals(a.passedSockets(3, 4),
                    ListeningSockets.onPort(port), a.log());
        }
    }
}
