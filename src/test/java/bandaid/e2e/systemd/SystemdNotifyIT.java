package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Type=notify through bandaid with NotifyAccess=main (the default): systemd takes sd_notify
 * messages from the main pid only, which is bandaid, so bandaid passes on what the program sends
 * to the notify socket bandaid gave it. The program is a python script speaking sd_notify by hand
 * (a datagram to $NOTIFY_SOCKET, "@" meaning an abstract name).
 */
class SystemdNotifyIT {
    private static final String PROGRAM = """
            import http.server, os, socket, sys, threading, time
            def notify(message):
                address = os.environ["NOTIFY_SOCKET"]
                if address.startswith("@"):
                    address = "\\0" + address[1:]
                with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as s:
                    s.sendto(message.encode(), address)
            mode = sys.argv[1]
            print("watchdog:", os.environ.get("WATCHDOG_USEC"), os.environ.get("WATCHDOG_PID"), flush=True)
            print("notify socket:", os.environ.get("NOTIFY_SOCKET"), flush=True)
            if mode == "hides-mainpid":
                # systemd reads a carriage return as a line break and a backslash as an escape
                notify("READY=1\\nSTATUS=one\\rMAINPID=%d" % os.getpid())
                notify("MAIN\\\\PID=%d\\nSTATUS=two" % os.getpid())
                time.sleep(1000)
            if mode == "never-ready":
                time.sleep(1000)
            if mode == "ready-late":
                time.sleep(3)
                notify("READY=1\\nSTATUS=serving after a late start\\nMAINPID=1")
                http.server.test(HandlerClass=http.server.SimpleHTTPRequestHandler,
                                 ServerClass=http.server.ThreadingHTTPServer, port=int(sys.argv[2]), bind="127.0.0.1")
            notify("READY=1")
            feeds = 1000 if mode == "feeds" else 3
            for _ in range(feeds):
                time.sleep(0.5)
                notify("WATCHDOG=1")
            print("no longer feeding the watchdog", flush=True)
            time.sleep(1000)
            """;

    @RegisterExtension
    static final Container container = Container.perClass("notify");

    @BeforeAll
    static void writeProgram() throws Exception {
        container.write("/etc/bandaid-test/notify.py", PROGRAM);
    }

    @Test
    void theUnitIsActiveOnlyOnceTheProgramSaysReady() throws Exception {
        container.install(Map.of(
                "late.socket", "[Socket]\nListenStream=127.0.0.1:8601\n",
                "late.service", "[Service]\nType=notify\nExecStart=" + Container.BANDAID + " -v -- " + Container.PYTHON
                        + " /etc/bandaid-test/notify.py ready-late 8601\n"));
        container.ok("systemctl start late.socket");
        long start = System.nanoTime();
        container.ok("systemctl start --no-block late.service");
        Thread.sleep(1500);
        assertEquals("activating", container.state("late.service"), container.journal("late.service"));
        container.awaitState("late.service", "active");
        long took = (System.nanoTime() - start) / 1_000_000;
        assertTrue(took >= 2500, "active after " + took + " ms, before the program's READY=1:\n" + container.journal("late.service"));
        assertEquals("serving after a late start", container.property("late.service", "StatusText"));
        String main = container.property("late.service", "MainPID");
        assertEquals("bandaid", container.ok("cat /proc/" + main + "/comm").strip(), "bandaid stays the main pid despite MAINPID=1");
        assertEquals(200, container.get("http://127.0.0.1:8601/").status(), container.journal("late.service"));
        assertTrue(container.property("late.service", "NotifyAccess").equals("main"));
        System.out.println("journalctl -u late.service:\n" + container.journal("late.service"));
    }

    /**
     * A MAINPID= that bandaid would take for a STATUS= line or an unknown name is still one for
     * systemd: it splits lines at a carriage return too and takes a backslash as an escape. bandaid
     * reads each message as systemd does, so the main pid stays bandaid. (issue 23, item 2)
     */
    @Test
    void aMainPidHiddenFromALineReaderDoesNotMoveTheMainPid() throws Exception {
        container.install(Map.of("hiding.service", "[Service]\nType=notify\nExecStart=" + Container.BANDAID + " -- " + Container.PYTHON
                + " /etc/bandaid-test/notify.py hides-mainpid\n"));
        container.ok("systemctl start hiding.service"); // returns once the first message's READY=1 is taken
        assertEquals("bandaid", mainProcess("hiding.service"), "bandaid stays the main pid:\n" + container.journal("hiding.service"));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (!container.property("hiding.service", "StatusText").equals("two")) {
            assertTrue(System.nanoTime() < deadline, "the second message did not arrive:\n" + container.journal("hiding.service"));
            Thread.sleep(100);
        }
        assertEquals("bandaid", mainProcess("hiding.service"), "bandaid stays the main pid:\n" + container.journal("hiding.service"));
        container.ok("systemctl stop hiding.service");
    }

    /**
     * A process outside the unit (a login session, of the same uid as the service) finds bandaid's
     * notify socket (an abstract name, listed in /proc/net/unix) and sends READY=1 from a process
     * that exits at once; bandaid reads it only after that (stopped meanwhile, as a busy bandaid
     * would). systemd would have refused it with NotifyAccess=main; through bandaid too: the unit
     * keeps waiting for the program's own READY=1. (issue 23, item 3)
     */
    @Test
    void aProcessOutsideTheUnitCannotMakeItReady() throws Exception {
        container.install(Map.of("waiting.service", "[Service]\nType=notify\nTimeoutStartSec=infinity\nExecStart=" + Container.BANDAID
                + " -- " + Container.PYTHON + " /etc/bandaid-test/notify.py never-ready\n"));
        container.ok("systemctl start --no-block waiting.service");
        String socket = container.awaitMessage("waiting.service", "notify socket:").stream().filter(l -> l.startsWith("notify socket:"))
                .findFirst().orElseThrow().substring("notify socket: ".length()).strip();
        assertTrue(container.ok("cat /proc/net/unix").contains(" " + socket + "\n"), socket + " is in /proc/net/unix");
        String main = container.property("waiting.service", "MainPID");
        container.ok("kill -STOP " + main + "; " + Container.PYTHON + " -c 'import socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)"
                + ".sendto(b\"READY=1\\nEXTEND_TIMEOUT_USEC=999999999\\nSTATUS=from outside\", \"\\x00" + socket.substring(1)
                + "\")'; sent=$?; kill -CONT " + main + "; exit $sent");
        Thread.sleep(2000);
        assertEquals("activating", container.state("waiting.service"), container.journal("waiting.service"));
        assertEquals("", container.property("waiting.service", "StatusText"), container.journal("waiting.service"));
        container.ok("systemctl stop waiting.service");
    }

    /**
     * A script's systemd-notify is heard: it waits for its BARRIER=1 to be passed on and closed by
     * systemd (sd_notify_barrier(3)), so it is alive when bandaid reads its message, which is what
     * bandaid needs to tell it is the program's (as root it speaks for its parent, the script,
     * alive too). (issue 23, item 3)
     */
    @Test
    void aScriptsSystemdNotifyIsHeard() throws Exception {
        container.install(Map.of("script.service", "[Service]\nType=notify\nExecStart=" + Container.BANDAID
                + " -- /bin/bash -c 'systemd-notify --ready --status=\"ready from a script\"; echo \"systemd-notify: $?\"; exec sleep 1000'\n"));
        container.ok("systemctl start script.service");
        assertEquals("active", container.state("script.service"), container.journal("script.service"));
        assertEquals("ready from a script", container.property("script.service", "StatusText"));
        assertTrue(container.awaitMessage("script.service", "systemd-notify:").contains("systemd-notify: 0"), container.journal("script.service"));
        container.ok("systemctl stop script.service");
    }

    @Test
    void aProgramThatFeedsTheWatchdogStaysUp() throws Exception {
        container.install(Map.of("fed.service", service("feeds")));
        container.ok("systemctl start fed.service");
        assertEquals("active", container.state("fed.service"), container.journal("fed.service"));
        List<String> lines = container.awaitMessage("fed.service", "watchdog:");
        assertTrue(lines.contains("watchdog: 4000000 None"), "WATCHDOG_USEC without WATCHDOG_PID:\n" + String.join("\n", lines));
        Thread.sleep(9000); // over two watchdog periods
        assertEquals("active", container.state("fed.service"), container.journal("fed.service"));
        assertEquals("0", container.property("fed.service", "NRestarts"), container.journal("fed.service"));
    }

    @Test
    void aProgramThatStopsFeedingTheWatchdogIsRestarted() throws Exception {
        container.install(Map.of("starved.service", service("starves")));
        container.ok("systemctl start starved.service");
        container.awaitMessage("starved.service", "no longer feeding the watchdog");
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (container.property("starved.service", "NRestarts").equals("0")) {
            assertTrue(System.nanoTime() < deadline, "not restarted within 30 s:\n" + container.journal("starved.service"));
            Thread.sleep(200);
        }
        assertTrue(container.journal("starved.service").contains("Watchdog timeout"), container.journal("starved.service"));
        System.out.println("journalctl -u starved.service:\n" + container.journal("starved.service"));
    }

    /** The comm of the unit's main process: java for bandaid. */
    private static String mainProcess(String unit) throws Exception {
        return container.ok("cat /proc/" + container.property(unit, "MainPID") + "/comm").strip();
    }

    private static String service(String mode) {
        return "[Service]\nType=notify\nWatchdogSec=4s\nRestart=on-watchdog\nRestartSec=1s\nExecStart=" + Container.BANDAID
                + " -- " + Container.PYTHON + " /etc/bandaid-test/notify.py " + mode + "\n";
    }
}
