package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code bandaid unit --learn} on the host: what it writes for a program that splits the
 * families (the binds that are no listener left out), and how it refuses when no namespace can
 * be made or nothing was learned. Learned units serving under systemd: SystemdUnitCommandIT.
 */
class UnitLearnIT {
    private static final String SPLIT = Bandaid.ROOT.resolve("src/test/resources/servers/split_families.py").toString();

    @Test
    void learnsEachFamilyAndTypeTheProgramListensOnAndNothingElse() throws Exception {
        int port = Net.freePorts(2);
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" unit dns --learn -- " + SPLIT + " " + port);
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("""
                # dns.socket
                [Unit]
                Description=dns sockets (passed to the program by bandaid)

                [Socket]
                ListenStream=0.0.0.0:%1$d
                FileDescriptorName=tcp4-%1$d
                ListenStream=[::]:%1$d
                FileDescriptorName=tcp6-%1$d
                ListenDatagram=0.0.0.0:%1$d
                FileDescriptorName=udp4-%1$d
                ListenDatagram=[::]:%1$d
                FileDescriptorName=udp6-%1$d
                BindIPv6Only=ipv6-only
                # bandaid hands over listening sockets, not connections.
                Accept=no

                [Install]
                WantedBy=sockets.target
                """.formatted(port), run.stdout().substring(0, run.stdout().indexOf("\n\n# dns.service") + 1));
        assertTrue(run.stdout().contains("\nExecStart=" + Bandaid.SCRIPT + " -- " + SPLIT + " " + port + "\n"), run.stdout());
        // The program's own output went to stderr, with what bandaid saw, one line per socket.
        assertTrue(run.stderr().lines().anyMatch("ready"::equals), run.stderr());
        List<String> saw = run.stderr().lines().filter(l -> l.contains(" listens on ")).map(l -> l.replaceFirst("\\[\\d+]", "[PID]")).toList();
        assertEquals(List.of("bandaid: split_families.[PID] listens on 0.0.0.0:" + port + " (AF_INET SOCK_STREAM)",
                "bandaid: split_families.[PID] listens on [::]:" + port + " (AF_INET6 SOCK_STREAM, IPV6_V6ONLY=1)",
                "bandaid: split_families.[PID] listens on 0.0.0.0:" + port + " (AF_INET SOCK_DGRAM)",
                "bandaid: split_families.[PID] listens on [::]:" + port + " (AF_INET6 SOCK_DGRAM, IPV6_V6ONLY=1)"), saw);
        assertEquals(Set.of(), ListeningSockets.onPort(port), "the program listened in a namespace of its own");
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
