package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * dnsmasq in its default wildcard mode binds 0.0.0.0:P and then [::]:P with IPV6_V6ONLY=1, TCP and
 * UDP each: four sockets. The unit for it passes one socket per family and type
 * ({@code BindIPv6Only=ipv6-only}); the units that pass fewer are the cases of issue 14.
 * systemd-socket-activate passes one type per run, so pass-sockets.py plays the unit.
 */
class DnsmasqWildcardIT {
    @BeforeEach
    void needs() throws Exception {
        Dnsmasq.assumeInstalled();
        Net.assumeDualStackLoopback();
    }

    @Test
    void servesTcpAndUdpOnBothFamiliesFromTheirOwnPassedSockets() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("--ipv6-only", "tcp:0.0.0.0:" + port + "=dns-tcp",
                "tcp6:[::]:" + port + "=dns-tcp6", "udp:0.0.0.0:" + port + "=dns-udp", "udp6:[::]:" + port + "=dns-udp6"),
                Dnsmasq.bandaidArgs(port))) {
            Dns.answersOnBothFamilies(a, port, Dnsmasq.NAME, Dnsmasq.ADDRESS);
            Dnsmasq.holdsEveryPassedSocketUnwarned(a, 4);
        }
    }

    /**
     * Issue 14: with a unit passing 0.0.0.0:P only, bandaid gave the IPv4 socket to the IPv6
     * bind too, dnsmasq's IPV6_RECVPKTINFO failed with ENOPROTOOPT, and it exited. Now its IPv6
     * binds run in the kernel on its own sockets, and bandaid says which lines would pass them.
     */
    @Test
    void anIpv4OnlyUnitLeavesItsIpv6BindsToTheKernelAndSaysSo() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("tcp:0.0.0.0:" + port + "=dns-tcp",
                "udp:0.0.0.0:" + port + "=dns-udp"), Dnsmasq.bandaidArgs(port))) {
            Dns.answersOnBothFamilies(a, port, Dnsmasq.NAME, Dnsmasq.ADDRESS);
            String log = a.log();
            for (String line : List.of("ListenStream=[::]:" + port, "ListenDatagram=[::]:" + port)) {
                assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: WARN: dnsmasq[")
                        && l.contains("bind([::]:" + port + ") on an AF_INET6 socket gets no passed socket")
                        && l.contains("it set IPV6_V6ONLY=1") && l.endsWith("add " + line + " with BindIPv6Only=ipv6-only")).count(), log);
            }
            // The IPv4 sockets are the passed ones; the IPv6 ones are dnsmasq's own.
            ProcessHandle dnsmasq = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(dnsmasq.pid(), 3, 4);
            Set<String> listening = ListeningSockets.onPort(port);
            assertEquals(2, listening.size(), listening + "\n" + log);
            assertTrue(listening.contains(a.passedSocket(3)), log);
        }
    }

    /**
     * A dual-stack unit (ListenStream=P, ListenDatagram=P) cannot serve dnsmasq: each of its
     * IPv4 listeners gets a dual-stack socket (nothing else fits), sees IPv4 clients as
     * ::ffff:a.b.c.d, and drops their queries; its IPv6 listeners get the same sockets. Asserted:
     * each passed socket is warned of once (issue 25: not once per bind), with what dnsmasq will
     * see and the unit lines that avoid it.
     */
    @Test
    void aDualStackUnitIsHandedOverWithWarningsNamingTheSplitUnit() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.passed(List.of("--dual-stack", "tcp6:[::]:" + port + "=dns-tcp",
                "udp6:[::]:" + port + "=dns-udp"), Dnsmasq.bandaidArgs(port))) {
            awaitHandouts(a, 4);
            String log = a.log();
            for (String type : List.of("Stream", "Datagram")) {
                int fd = type.equals("Stream") ? 3 : 4;
                String socket = "passed fd " + fd + " \"dns-" + (fd == 3 ? "tcp" : "udp") + "\" ([::]:" + port + ")";
                String fix = "fix, in the .socket unit: Listen" + type + "=0.0.0.0:" + port + " Listen" + type + "=[::]:" + port
                        + " BindIPv6Only=ipv6-only";
                // one line for the socket, however many of dnsmasq's binds it serves
                assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: WARN: dnsmasq[") && l.contains(socket)).count(), log);
                assertEquals(1, log.lines().filter(l -> l.startsWith("bandaid: WARN: dnsmasq[") && l.contains(" gets " + socket
                        + ", one dual-stack socket for both families") && l.contains("::ffff:a.b.c.d") && l.endsWith(fix)).count(), log);
            }
            assertTrue(log.contains("with IPv6 packet info"), log);
            // Both of its listeners of a type hold the one passed socket: there is no other on the port.
            assertEquals(Set.of(a.passedSocket(3)), ListeningSockets.onPort(port), log);
        }
    }

    /** Waits until bandaid has logged {@code count} handouts (it logs each after answering). */
    static void awaitHandouts(Bandaid.Activated a, int count) throws Exception {
        long deadline = System.nanoTime() + ServerProbe.STARTUP.toNanos();
        while (a.log().lines().filter(l -> l.startsWith("bandaid: DEBUG: bind(") && l.contains("-> passed fd")).count() < count) {
            if (System.nanoTime() > deadline || !a.process().isAlive()) {
                throw new AssertionError("fewer than " + count + " handouts within " + ServerProbe.STARTUP + ":\n" + a.log());
            }
            Thread.sleep(50);
        }
    }
}
