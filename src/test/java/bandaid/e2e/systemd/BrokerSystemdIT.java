package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Broker mode under a real systemd: one bandaid-broker.service answers for the services, each of
 * which is its program alone (the program is the unit's main process, no JVM in its cgroup), and
 * a restart or a crash of the broker loses no service and no call.
 */
class BrokerSystemdIT {
    /** A python web server that says it is ready (Type=notify) and, when asked, binds late. */
    private static final String PROGRAM = """
            import http.server, os, socket, sys, time
            def notify(message):
                address = os.environ.get("NOTIFY_SOCKET")
                if not address:
                    return
                if address.startswith("@"):
                    address = "\\0" + address[1:]
                with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
                    s.sendto(message.encode(), address)
            port, delay = int(sys.argv[1]), float(sys.argv[2])
            print("waiting", delay, flush=True)
            time.sleep(delay)
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port), http.server.SimpleHTTPRequestHandler)
            notify("READY=1\\nSTATUS=serving on %d" % port)
            print("serving", port, flush=True)
            if os.environ.get("WATCHDOG_USEC"):
                def feed():
                    while True:
                        time.sleep(int(os.environ["WATCHDOG_USEC"]) / 4e6)
                        notify("WATCHDOG=1")
                import threading
                threading.Thread(target=feed, daemon=True).start()
            server.serve_forever()
            """;

    @RegisterExtension
    static final Container container = Container.perClass("broker");

    @BeforeAll
    static void brokerAndProgram() throws Exception {
        container.write("/etc/bandaid-test/web.py", PROGRAM);
        container.ok(Container.BANDAID + " broker --units --write=/etc/systemd/system && systemctl daemon-reload"
                + " && systemctl start bandaid-broker.socket");
    }

    private static void web(String name, int port, double delay, String options) throws Exception {
        web(name, port, delay, options, "");
    }

    /** A .socket/.service pair for web.py on {@code port}, with {@code service} lines of its own. */
    private static void web(String name, int port, double delay, String options, String service) throws Exception {
        container.install(Map.of(
                name + ".socket", "[Socket]\nListenStream=127.0.0.1:" + port + "\n",
                name + ".service", "[Service]\nType=notify\nExecStart=" + Container.BANDAID + " " + options + " -- "
                        + Container.PYTHON + " /etc/bandaid-test/web.py " + port + " " + delay + "\n" + service));
        container.ok("systemctl start " + name + ".socket");
    }

    @Test
    void theProgramIsTheMainProcessAndNotifiesSystemdItself() throws Exception {
        web("notifier", 8701, 0, "--broker -v");
        assertEquals(200, container.get("http://127.0.0.1:8701/").status(), container.journal("notifier.service"));
        container.awaitState("notifier.service", "active");
        String main = container.property("notifier.service", "MainPID");
        assertEquals("python3", container.ok("cat /proc/" + main + "/comm").strip(), container.journal("notifier.service"));
        assertEquals("serving on 8701", container.property("notifier.service", "StatusText"));
        // The service's cgroup holds the program alone: no JVM beside it.
        String procs = container.ok("cat /sys/fs/cgroup/system.slice/notifier.service/cgroup.procs 2>/dev/null"
                + " || cat /sys/fs/cgroup/unified/system.slice/notifier.service/cgroup.procs").strip();
        assertEquals(List.of(main), procs.lines().toList(), container.ok("ps -ef"));
        // bandaid's lines about the service are in the service's own journal.
        String journal = awaitJournal("notifier.service", "-> passed fd");
        assertTrue(journal.lines().anyMatch(l -> l.contains(" bandaid: bind(127.0.0.1:8701) from python3[")), journal);
    }

    /** {@code journalctl -u UNIT} once it has a line with {@code text}: the broker's lines about the service are there too. */
    private static String awaitJournal(String unit, String text) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            String journal = container.journal(unit);
            if (journal.contains(text) || System.nanoTime() > deadline) {
                return journal;
            }
            Thread.sleep(100);
        }
    }

    @Test
    void aBrokerRestartedWhileTheProgramWaitsToBindLosesNothing() throws Exception {
        web("late", 8702, 4, "--broker");
        container.ok("systemctl start --no-block late.service");
        container.awaitMessage("late.service", "waiting");
        container.ok("systemctl restart bandaid-broker.service");
        assertEquals(200, container.get("http://127.0.0.1:8702/").status(), container.journal("late.service")
                + "\n" + container.journal("bandaid-broker.service"));
        assertEquals("active", container.state("late.service"));
    }

    @Test
    void aBrokerKilledWhileTheProgramWaitsToBindLosesNothing() throws Exception {
        web("killed", 8703, 4, "--broker");
        container.ok("systemctl start --no-block killed.service");
        container.awaitMessage("killed.service", "waiting");
        container.ok("systemctl kill -s KILL bandaid-broker.service");
        assertEquals(200, container.get("http://127.0.0.1:8703/").status(), container.journal("killed.service")
                + "\n" + container.journal("bandaid-broker.service"));
    }

    @Test
    void aPlainBandaidUsesTheBrokerWhereItRuns() throws Exception {
        web("plain", 8704, 0, "");
        assertEquals(200, container.get("http://127.0.0.1:8704/").status(), container.journal("plain.service"));
        String main = container.property("plain.service", "MainPID");
        assertEquals("python3", container.ok("cat /proc/" + main + "/comm").strip(), container.journal("plain.service"));
    }

    @Test
    void theWatchdogIsTheProgramsOwn() throws Exception {
        web("watched", 8705, 0, "--broker", "WatchdogSec=2s\nRestart=on-watchdog\n");
        assertEquals(200, container.get("http://127.0.0.1:8705/").status(), container.journal("watched.service"));
        Thread.sleep(6000); // three watchdog periods, fed by the program itself as the main process
        assertEquals("active", container.state("watched.service"), container.journal("watched.service"));
        assertEquals("0", container.property("watched.service", "NRestarts"), container.journal("watched.service"));
    }

    @Test
    void anIdleProgramIsStoppedByTheBrokerAsACleanStopAndStartsAgain() throws Exception {
        web("idle", 8706, 0, "--broker --exit-idle-time=2s");
        assertEquals(200, container.get("http://127.0.0.1:8706/").status(), container.journal("idle.service"));
        container.awaitState("idle.service", "inactive");
        // The main process, the program, ended by SIGTERM: a clean stop, not a failure.
        assertEquals("success", container.property("idle.service", "Result"), container.journal("idle.service"));
        assertEquals("15", container.property("idle.service", "ExecMainStatus"), container.journal("idle.service"));
        assertTrue(container.journal("idle.service").contains("No connection for 2s: stopping the program"),
                container.journal("idle.service"));
        assertEquals(200, container.get("http://127.0.0.1:8706/").status(), container.journal("idle.service"));
    }

    @Test
    void aHardenedServiceWithNoNetworkAndADynamicUserIsServed() throws Exception {
        web("hardened", 8707, 0, "--broker", String.join("\n", "DynamicUser=yes", "PrivateNetwork=yes", "ProtectSystem=strict",
                "ProtectHome=yes", "ProtectProc=invisible", "PrivateTmp=yes", "NoNewPrivileges=yes",
                "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6", "SystemCallFilter=@system-service seccomp",
                "CapabilityBoundingSet=", "") );
        assertEquals(200, container.get("http://127.0.0.1:8707/").status(), container.journal("hardened.service")
                + "\n" + container.journal("bandaid-broker.service"));
        String main = container.property("hardened.service", "MainPID");
        assertEquals("python3", container.ok("cat /proc/" + main + "/comm").strip());
    }

    @Test
    void fiftyServicesThroughOneBroker() throws Exception {
        int first = 8750;
        for (int i = 0; i < 50; i++) {
            web("many" + i, first + i, 0, "--broker");
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(200, container.get("http://127.0.0.1:" + (first + i) + "/").status(), container.journal("many" + i + ".service"));
        }
        for (int i = 0; i < 50; i++) {
            String main = container.property("many" + i + ".service", "MainPID");
            assertEquals("python3", container.ok("cat /proc/" + main + "/comm").strip(), "many" + i);
        }
        String broker = container.property("bandaid-broker.service", "MainPID");
        System.out.println("broker with 50 services: " + container.ok("grep -E 'VmRSS|Threads' /proc/" + broker + "/status"));
    }
}
