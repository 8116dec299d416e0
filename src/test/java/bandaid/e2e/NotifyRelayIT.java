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
 * (issue 23, item 2)
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
