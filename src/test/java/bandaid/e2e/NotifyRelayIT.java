package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The notify relay (Type=notify, where bandaid is the service's main pid and passes the program's
 * sd_notify(3) messages on to systemd as its own), seen from systemd's side: notify-receiver.py
 * plays systemd's notify socket (NOTIFY_SOCKET=@NAME) and prints each datagram that reaches it,
 * byte for byte, with the fds that came along. The program under bandaid speaks sd_notify by hand
 * (notify-sender.py). Whatever reaches the receiver, a systemd would take from its main pid.
 * (issue 23, items 2 and 3)
 */
class NotifyRelayIT {
    private static final AtomicInteger RECEIVERS = new AtomicInteger();

    /**
     * Each message, sent twice (each drop is said once), and what reaches systemd of it. Nothing
     * that moves the main pid away from bandaid (MAINPID=, MAINPIDFD=1 with a pidfd, MAINPIDFDID=,
     * also when hidden behind a carriage return or a backslash, which systemd takes as a line
     * break and an escape; an escaped line break, which older and newer systemd read differently)
     * or opens systemd's socket to the unit's other processes (NOTIFYACCESS=); fds only with
     * BARRIER=1; STATUS= as the very bytes, UTF-8 or not.
     */
    @Test
    void onlyWhatIsKnownToBeSafeReachesSystemdAsSent() throws Exception {
        Bandaid.assumeWrapperMode("broker mode has no relay: the program is the main process and speaks to systemd itself");
        List<Sent> messages = List.of(
                new Sent("READY=1\nSTATUS=caf\u00e9 \u00ff ok", "", "READY=1\nSTATUS=caf\u00e9 \u00ff ok"),
                new Sent("MAINPIDFD=1", "pidfd", null),
                new Sent("MAINPID=1\nMAINPIDFDID=4242\nSTATUS=three", "", "STATUS=three"),
                new Sent("NOTIFYACCESS=all\nSTATUS=four", "", "STATUS=four"),
                new Sent("STATUS=five\rMAINPID=1", "", "STATUS=five"),
                new Sent("MAIN\\PID=1\nSTATUS=six", "", "STATUS=six"),
                new Sent("STATUS=six and a half\\\nMAINPID=1", "", null),
                new Sent("STATUS=seven\nX_APP_STATE=warm", "pipe", "STATUS=seven\nX_APP_STATE=warm"),
                new Sent("FDSTORE=1\nFDNAME=cache", "pipe", null),
                new Sent("BARRIER=1", "pipe", "BARRIER=1 +pipe"));
        try (Receiver systemd = new Receiver(); Programs.Interactive run = underBandaid(systemd)) {
            List<String> pipes = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int round = 0; round < 2; round++) {
                for (Sent m : messages) {
                    run.send("send " + hex(m.text()) + " " + m.fds());
                    String reply = run.line();
                    assertTrue(reply.startsWith("sent"), reply);
                    pipes.addAll(List.of(reply.substring(4).strip().split(" ")).stream().filter(s -> !s.isEmpty()).toList());
                    if (m.reaches() != null) {
                        expected.add(m.reaches());
                    }
                }
            }
            expected.add("STATUS=done");
            run.send("send " + hex("STATUS=done"));
            run.line();
            assertEquals(expected.stream().map(NotifyRelayIT::shown).toList(), systemd.until("STATUS=done"), run.stderr());
            // Every fd that came with a message was closed in bandaid once passed on or dropped.
            List<String> open = fdTargets(run.process.pid());
            for (String inode : pipes) {
                assertTrue(!open.contains("pipe:[" + inode + "]"), "bandaid still holds pipe " + inode + ": " + open);
            }
            run.send("exit");
            assertEquals(0, run.waitFor(), run.stderr());
            String stderr = run.stderr();
            for (String dropped : List.of("'s MAINPIDFD=", "'s MAINPIDFDID=", "'s NOTIFYACCESS=", "stores fds with FDSTORE=", "line break", "fds came")) {
                assertEquals(1, stderr.lines().filter(l -> l.startsWith("bandaid:") && l.contains(dropped)).count(),
                        "said once: " + dropped + "\n" + stderr);
            }
        }
    }

    /**
     * NotifyAccess=main means the program and its processes. bandaid's notify socket is an
     * abstract name anyone in its network namespace can read from /proc/net/unix and send to: a
     * process that is not the program's (a sibling service, a login session of the same user)
     * gets nothing through, neither alive nor gone by the time bandaid reads its message (a
     * stopped bandaid stands for a busy one). A sender of the program's that has exited by then
     * cannot be told from a stranger whose pid is reused: dropped too, with the advice to keep the
     * sender alive, which systemd-notify does while it waits for its BARRIER=1.
     */
    @Test
    void onlyTheProgramsOwnProcessesSpeakThroughBandaid() throws Exception {
        Bandaid.assumeWrapperMode("broker mode has no relay: the program is the main process and speaks to systemd itself");
        try (Receiver systemd = new Receiver(); Programs.Interactive run = underBandaid(systemd)) {
            run.send("env");
            String socket = run.line();
            assertTrue(socket.matches("@[0-9a-f]{5}"), socket);
            assertTrue(Files.readString(Path.of("/proc/net/unix")).contains(" " + socket + "\n"), "readable by anyone from /proc/net/unix");
            long bandaid = run.process.pid();

            Process alive = Bandaid.process(List.of(Bandaid.PYTHON, "-c", SEND_THEN_WAIT, socket, "READY=1\nSTATUS=a stranger alive"))
                    .redirectInput(ProcessBuilder.Redirect.PIPE).start();
            assertEquals("sent", new BufferedReader(new InputStreamReader(alive.getInputStream())).readLine());

            signal("STOP", bandaid);
            Process gone = Bandaid.process(List.of(Bandaid.PYTHON, "-c", SEND, socket, "READY=1\nEXTEND_TIMEOUT_USEC=999999999\nSTATUS=a stranger gone"))
                    .start();
            assertTrue(gone.waitFor(10, TimeUnit.SECONDS) && gone.exitValue() == 0, "the stranger could not send");
            run.send("child " + hex("STATUS=the program's child, gone"));
            assertEquals("child sent", run.line());
            signal("CONT", bandaid);

            signal("STOP", bandaid);
            run.send("run systemd-notify --status=from-systemd-notify");
            Thread.sleep(1000);
            signal("CONT", bandaid);
            assertEquals("ran 0", run.line(), "systemd-notify waits for its BARRIER=1 to be passed on and closed");

            run.send("send " + hex("STATUS=done"));
            run.line();
            assertEquals(List.of("STATUS=from-systemd-notify", "BARRIER=1 +pipe", "STATUS=done"), systemd.until("STATUS=done"), run.stderr());
            alive.getOutputStream().close();
            alive.waitFor(10, TimeUnit.SECONDS);
            run.send("exit");
            assertEquals(0, run.waitFor(), run.stderr());
            String stderr = run.stderr();
            assertEquals(1, stderr.lines().filter(l -> l.startsWith("bandaid:") && l.contains("not one of the program's")).count(), stderr);
            assertEquals(1, stderr.lines().filter(l -> l.startsWith("bandaid:") && l.contains("sd_notify_barrier")).count(), stderr);
        }
    }

    /** sys.argv[1]: NOTIFY_SOCKET, [2]: the message; sends it and exits at once. */
    private static final String SEND = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            s.sendto(sys.argv[2].encode(), "\\0" + sys.argv[1][1:])
            """;
    /** As {@link #SEND}, then says "sent" and waits for stdin to close. */
    private static final String SEND_THEN_WAIT = SEND + "print('sent', flush=True)\nsys.stdin.read()\n";

    /** A message the program sends (with fds: "pidfd", "pipe" or "") and what reaches systemd (null: nothing). */
    private record Sent(String text, String fds, String reaches) {
    }

    private static Programs.Interactive underBandaid(Receiver systemd) throws IOException {
        return new Programs.Interactive("NOTIFY_SOCKET=@" + systemd.name + " exec \"$BANDAID\" -- " + Bandaid.PYTHON + " "
                + Programs.program("notify-sender.py"));
    }

    /** The text's bytes: each char below 256 is one byte (so "\u00e9" is the byte 0xe9, not UTF-8). */
    private static String hex(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Bytes (one char each) as printable ASCII, every other byte as \xNN: a line break or a byte that is not UTF-8 shows. */
    private static String shown(String bytes) {
        StringBuilder s = new StringBuilder();
        for (char c : bytes.toCharArray()) {
            s.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return s.toString();
    }

    private static void signal(String signal, long pid) throws IOException, InterruptedException {
        assertEquals(0, new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor());
    }

    private static List<String> fdTargets(long pid) throws IOException {
        List<String> targets = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    targets.add(Files.readSymbolicLink(fd).toString());
                } catch (IOException closedMeanwhile) {
                    // not open any more
                }
            }
        }
        return targets;
    }

    /** notify-receiver.py, listening on an abstract name of its own. */
    private static final class Receiver implements AutoCloseable {
        final String name = "bandaid-it-notify-" + ProcessHandle.current().pid() + "-" + RECEIVERS.incrementAndGet();
        private final Process process;
        private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Receiver() throws IOException, InterruptedException {
            process = Bandaid.process(List.of(Bandaid.PYTHON, Programs.program("notify-receiver.py"), name))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException closed) {
                    // the receiver was stopped
                }
            });
            assertEquals("listening", lines.poll(10, TimeUnit.SECONDS));
        }

        /**
         * What reached the receiver up to and with {@code last}: each message {@link #shown}, and
         * " +KIND" for each fd that came with it (pipe, pidfd, ...).
         */
        List<String> until(String last) throws InterruptedException {
            List<String> received = new ArrayList<>();
            while (received.isEmpty() || !received.getLast().equals(last)) {
                String line = lines.poll(10, TimeUnit.SECONDS);
                if (line == null) {
                    throw new AssertionError("\"" + last + "\" did not reach systemd within 10 s; what did: " + received);
                }
                String[] f = line.split(" ");
                StringBuilder message = new StringBuilder(f[2].equals("-") ? ""
                        : shown(new String(HexFormat.of().parseHex(f[2]), StandardCharsets.ISO_8859_1)));
                if (!f[3].equals("-")) {
                    for (String fd : f[3].split(",")) {
                        message.append(" +").append(fd.replaceAll("^anon_inode:\\[?|[:\\[].*$", "").replace("]", ""));
                    }
                }
                received.add(message.toString());
            }
            return received;
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }
}
