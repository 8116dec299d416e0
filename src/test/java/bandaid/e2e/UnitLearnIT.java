package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code bandaid unit --learn} on the host: what it writes for a program that splits the
 * families (the binds that are no listener left out), and how it refuses when no namespace can
 * be made or nothing was learned. Learned units serving under systemd: SystemdUnitCommandIT.
 */
class UnitLearnIT {
    private static final String SPLIT = Bandaid.ROOT.resolve("src/test/resources/servers/split_families.py").toString();

    @BeforeAll
    static void wrapperModeOnly() {
        Bandaid.assumeWrapperMode("bandaid unit writes units; --learn watches the program itself, never through a broker");
    }

    @Test
    void learnsEachFamilyAndTypeTheProgramListensOnAndNothingElse() throws Exception {
        int port = Net.freePorts(2);
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" unit dns --learn -- " + SPLIT + " " + port);
        assertEquals(0, run.exitCode(), run.stderr());
        // One socket unit per socket: each keeps its own FileDescriptorName= and BindIPv6Only=.
        assertEquals(List.of("# dns-tcp4-%1$d.socket", "# dns-tcp6-%1$d.socket", "# dns-udp4-%1$d.socket", "# dns-udp6-%1$d.socket",
                "# dns.service").stream().map(h -> h.formatted(port)).toList(), run.stdout().lines().filter(l -> l.startsWith("# dns")).toList());
        assertEquals("""
                # dns-tcp6-%1$d.socket
                [Unit]
                Description=dns socket tcp6-%1$d (passed to the program by bandaid)

                [Socket]
                ListenStream=[::]:%1$d
                FileDescriptorName=tcp6-%1$d
                BindIPv6Only=ipv6-only
                # bandaid hands over listening sockets, not connections.
                Accept=no
                # Its sockets go to the one service, under this unit's name.
                Service=dns.service

                [Install]
                WantedBy=sockets.target
                """.formatted(port), section(run.stdout(), "# dns-tcp6-" + port + ".socket"));
        assertTrue(section(run.stdout(), "# dns-udp4-" + port + ".socket").contains("\nListenDatagram=0.0.0.0:" + port
                + "\nFileDescriptorName=udp4-" + port + "\n# bandaid"), run.stdout());
        assertTrue(run.stdout().contains("\nExecStart=" + Bandaid.LAUNCHER + " -- " + SPLIT + " " + port + "\n"), run.stdout());
        // The program's own output went to stderr, with what bandaid saw, one line per socket.
        assertTrue(run.stderr().lines().anyMatch("ready"::equals), run.stderr());
        List<String> saw = run.stderr().lines().filter(l -> l.contains(" listens on ")).map(l -> l.replaceFirst("\\[\\d+]", "[PID]")).toList();
        assertEquals(List.of("bandaid: split_families.[PID] listens on 0.0.0.0:" + port + " (AF_INET SOCK_STREAM)",
                "bandaid: split_families.[PID] listens on [::]:" + port + " (AF_INET6 SOCK_STREAM, IPV6_V6ONLY=1)",
                "bandaid: split_families.[PID] listens on 0.0.0.0:" + port + " (AF_INET SOCK_DGRAM)",
                "bandaid: split_families.[PID] listens on [::]:" + port + " (AF_INET6 SOCK_DGRAM, IPV6_V6ONLY=1)"), saw);
        assertEquals(Set.of(), ListeningSockets.onPort(port), "the program listened in a namespace of its own");
        // issue 25: the split form is pointed out, with what a dual-stack unit would do instead
        List<String> splits = run.stderr().lines().filter(l -> l.contains(" splits the families ")).map(l -> l.replaceFirst("\\[\\d+]", "[PID]"))
                .toList();
        assertEquals(List.of("bandaid: split_families.[PID] splits the families on TCP port " + port + " (0.0.0.0:" + port + " and [::]:"
                        + port + " with IPV6_V6ONLY=1): pass them apart, ListenStream=0.0.0.0:" + port + " ListenStream=[::]:" + port
                        + " BindIPv6Only=ipv6-only; one dual-stack ListenStream=" + port + " would hand both binds one socket, and IPv4"
                        + " clients would arrive as ::ffff:a.b.c.d",
                "bandaid: split_families.[PID] splits the families on UDP port " + port + " (0.0.0.0:" + port + " and [::]:" + port
                        + " with IPV6_V6ONLY=1): pass them apart, ListenDatagram=0.0.0.0:" + port + " ListenDatagram=[::]:" + port
                        + " BindIPv6Only=ipv6-only; one dual-stack ListenDatagram=" + port + " would hand both binds one socket, and IPv4"
                        + " clients would arrive as ::ffff:a.b.c.d"), splits, run.stderr());
    }

    /**
     * Issue 25: {@code bandaid inspect -- PROGRAM} under a dual-stack unit learns what the program
     * binds and says what each bind would get, with the split unit's lines where the program
     * splits the families, and the line that passes what nothing was passed for.
     */
    @Test
    void inspectGivenTheProgramSaysWhatEachOfItsSocketsWouldGetAndTheSplitFix() throws Exception {
        int port = Net.freePorts(2);
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " --dual-stack tcp6:[::]:" + port + "=web -- \"$BANDAID\" inspect -- "
                + SPLIT + " " + port);
        assertEquals(0, run.exitCode(), run.stderr());
        List<String> lines = run.stdout().lines().map(l -> l.replaceFirst("\\[\\d+]", "[PID]")).toList();
        String passed = "passed fd 3 \"web\" ([::]:" + port + ")";
        assertEquals(List.of("Received 1 descriptor via the environment.",
                "fd 3 \"web\": AF_INET6 SOCK_STREAM [::]:" + port + ", listening, blocking, dual-stack",
                "split_families.[PID] listens on 0.0.0.0:" + port + " (AF_INET SOCK_STREAM): gets " + passed,
                "  warning: bind(0.0.0.0:" + port + ") gets " + passed + ", one dual-stack socket for both families: IPv4 clients arrive as"
                        + " ::ffff:a.b.c.d, which access rules written for IPv4 addresses do not match; fix, in the .socket unit:"
                        + " ListenStream=0.0.0.0:" + port + " ListenStream=[::]:" + port + " BindIPv6Only=ipv6-only",
                "split_families.[PID] listens on [::]:" + port + " (AF_INET6 SOCK_STREAM, IPV6_V6ONLY=1): gets " + passed,
                "split_families.[PID] listens on 0.0.0.0:" + port + " (AF_INET SOCK_DGRAM): gets no passed socket",
                "  warning: listens on 0.0.0.0:" + port + " (UDP), which no passed socket has: systemd does not hold it, and clients there"
                        + " reach the program only while it runs; to have it passed, add ListenDatagram=0.0.0.0:" + port,
                "split_families.[PID] listens on [::]:" + port + " (AF_INET6 SOCK_DGRAM, IPV6_V6ONLY=1): gets no passed socket",
                "  warning: listens on [::]:" + port + " (UDP), which no passed socket has: systemd does not hold it, and clients there"
                        + " reach the program only while it runs; to have it passed, add ListenDatagram=[::]:" + port), lines, run.stderr());
    }

    /** The file in bandaid unit's output that starts with {@code header}, up to the next. */
    private static String section(String out, String header) {
        int from = out.indexOf(header + "\n");
        int to = out.indexOf("\n\n# ", from);
        return out.substring(from, to < 0 ? out.length() : to + 1);
    }

    @Test
    void withoutThePrivilegeForANamespaceItSaysHowToRunIt() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec setpriv --reuid=nobody --regid=nogroup --clear-groups \"$BANDAID\" unit web --learn -- "
                + Bandaid.PYTHON + " -m http.server 8000");
        assertEquals(77, run.exitCode(), run.stderr());
        assertEquals(1, run.stderr().lines().count(), run.stderr());
        assertTrue(run.stderr().startsWith("bandaid: --learn runs the program in a network namespace of its own, which needs root")
                && run.stderr().contains("sudo bandaid unit"), run.stderr());
    }

    @Test
    void aProgramThatListensOnNothingGivesNoUnit() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" unit web --learn -- /bin/sh -c 'exit 3'");
        assertEquals(69, run.exitCode(), run.stderr());
        assertEquals("", run.stdout());
        assertEquals("bandaid: /bin/sh made no listening bind() before it ended (/bin/sh exited with status 3): nothing to pass",
                run.stderr().lines().toList().getLast());
    }
}
