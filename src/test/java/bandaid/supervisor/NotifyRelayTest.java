package bandaid.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.socket.ListenAddress;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What bandaid passes on of the program's sd_notify messages, and where to. */
class NotifyRelayTest {
    @Test
    void whatIsKnownToBeSafeIsPassedOnAsSent() {
        assertPassed("READY=1\nSTATUS=serving", "READY=1\nSTATUS=serving\n");
        for (String kept : new String[] {"RELOADING=1", "STOPPING=1", "MONOTONIC_USEC=123", "WATCHDOG=1", "WATCHDOG=trigger",
                "WATCHDOG_USEC=5000000", "EXTEND_TIMEOUT_USEC=10000000", "ERRNO=2", "BUSERROR=org.example.Error",
                "VARLINKERROR=org.example.Error", "EXIT_STATUS=3", "RESTART_RESET=1", "X_CUSTOM=yes"}) {
            assertPassed(kept, kept);
        }
        // The very bytes: not UTF-8, and an escape systemd itself resolves.
        assertPassed("STATUS=caf\u00e9 \u00ff", "STATUS=caf\u00e9 \u00ff");
        assertPassed("STATUS=a\\\\b \\\"q\\\"", "STATUS=a\\\\b \\\"q\\\"");
        // A carriage return and runs of line breaks end an assignment as a line feed does.
        assertPassed("READY=1\nSTATUS=x", "\r\nREADY=1\r\r\nSTATUS=x\n\n");
        // One NUL at the very end is allowed, and not passed on.
        assertPassed("READY=1", "READY=1\0");
    }

    @Test
    void whatMovesTheMainPidOrOpensSystemdsSocketIsDropped() {
        assertRelayed("READY=1", false, List.of(dropped(NotifyRelay.Drop.MAIN_PID, "MAINPID=")), "MAINPID=4321\nREADY=1", 0);
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.MAIN_PID, "MAINPIDFD=")), "MAINPIDFD=1", 1);
        assertRelayed("STATUS=x", false, List.of(dropped(NotifyRelay.Drop.MAIN_PID, "MAINPID="), dropped(NotifyRelay.Drop.MAIN_PID, "MAINPIDFDID=")),
                "MAINPID=4321\nMAINPIDFDID=99\nSTATUS=x", 0);
        assertRelayed("STATUS=x", false, List.of(dropped(NotifyRelay.Drop.NOTIFY_ACCESS, "NOTIFYACCESS=")), "NOTIFYACCESS=all\nSTATUS=x", 0);
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.FD_STORE, "FDSTORE="), dropped(NotifyRelay.Drop.FD_STORE, "FDNAME=")),
                "FDSTORE=1\nFDNAME=cache", 2);
        assertRelayed("STATUS=kept", false, List.of(dropped(NotifyRelay.Drop.FD_STORE, "FDSTOREREMOVE="), dropped(NotifyRelay.Drop.FD_STORE, "FDNAME=")),
                "FDSTOREREMOVE=1\nFDNAME=cache\nSTATUS=kept", 0);
        // Hidden from a reader of lines: systemd splits at \r and resolves the escape in the name.
        assertRelayed("STATUS=x", false, List.of(dropped(NotifyRelay.Drop.MAIN_PID, "MAINPID=")), "STATUS=x\rMAINPID=1", 0);
        assertRelayed("STATUS=x", false, List.of(dropped(NotifyRelay.Drop.MAIN_PID, "MAINPID=")), "MAIN\\PID=1\nSTATUS=x", 0);
        // An escaped line break: newer systemd reads one STATUS= line, older ones a MAINPID= line.
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.READ_DIFFERENTLY, "STATUS=")), "STATUS=x\\\nMAINPID=1", 0);
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.READ_DIFFERENTLY, "STATUS=")), "STAT\\US=x", 0);
    }

    @Test
    void namesNotKnownToBeSafeAreDropped() {
        assertRelayed("READY=1", false, List.of(dropped(NotifyRelay.Drop.UNKNOWN, "FUTURE_THING="), dropped(NotifyRelay.Drop.UNKNOWN, "X_SYSTEMD_UNIT_ACTIVE="),
                dropped(NotifyRelay.Drop.UNKNOWN, "READY"), dropped(NotifyRelay.Drop.UNKNOWN, "BARRIER=")),
                "FUTURE_THING=1\nX_SYSTEMD_UNIT_ACTIVE=x.target\nREADY\nBARRIER=2\nREADY=1", 0);
    }

    @Test
    void fdsGoAlongOnlyWithABarrier() {
        assertRelayed("BARRIER=1", true, List.of(), "BARRIER=1", 1);
        assertRelayed("BARRIER=1", true, List.of(), "BARRIER=1\n", 1);
        assertRelayed("BARRIER=1", true, List.of(dropped(NotifyRelay.Drop.BARRIER, "")), "BARRIER=1\nREADY=1", 1);
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.BARRIER, "")), "BARRIER=1", 0);
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.BARRIER, "")), "BARRIER=1", 2);
        assertRelayed("READY=1", false, List.of(dropped(NotifyRelay.Drop.FDS, "")), "READY=1", 3);
    }

    @Test
    void whatSystemdIgnoresAsAWholeIsDropped() {
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.UNREADABLE, "")), "READY=1\0STATUS=x", 0);
        assertRelayed("", false, List.of(dropped(NotifyRelay.Drop.UNREADABLE, "")), "READY=1\nSTATUS=x\\", 0);
        assertRelayed("", false, List.of(), "", 0);
        assertRelayed("", false, List.of(), "\n\r\n", 0);
    }

    /**
     * Random messages, for a few seconds, against systemd's own reading written out a second
     * time here from extract_first_word() (newer systemd) and strv_split() (older): whatever bandaid
     * passes on holds only assignments known to be safe to both readings, each as systemd would
     * have read it from the program, in the program's order; in a message without escapes, every
     * safe assignment is passed on; fds only with a lone BARRIER=1. The seed is printed, so a
     * failure can be run again.
     */
    @Test
    void randomMessagesPassOnlyWhatIsSafeAndAsSystemdReadsIt() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        long end = System.nanoTime() + 3_000_000_000L;
        int messages = 0;
        while (System.nanoTime() < end) {
            byte[] message = randomMessage(random);
            int fds = random.nextInt(3);
            String why = "seed " + seed + ", message " + HexFormat.of().formatHex(message) + ", " + fds + " fds";
            NotifyRelay.Relayed out = NotifyRelay.relayed(message, fds);
            byte[] text = out.text();
            assertTrue(text.length <= message.length, why);
            List<byte[]> in = SystemdReading.newer(message);
            if (in == null) {
                assertEquals(0, text.length, why);
                continue;
            }
            List<byte[]> newer = SystemdReading.newer(text);
            List<byte[]> older = SystemdReading.older(text);
            assertTrue(newer != null && indexOf(text, (byte) 0) < 0, why);
            for (List<byte[]> reading : List.of(newer, older)) {
                for (byte[] assignment : reading) {
                    assertTrue(safe(assignment) || (Arrays.equals(assignment, bytes("BARRIER=1")) && reading.size() == 1),
                            why + ": passed " + latin1(assignment));
                }
            }
            assertTrue(isSubsequence(newer, in), why + ": passed " + latin1(text));
            if (indexOf(message, (byte) '\\') < 0 && in.stream().noneMatch(a -> Arrays.equals(a, bytes("BARRIER=1")))) {
                assertEquals(in.stream().filter(NotifyRelayTest::safe).map(NotifyRelayTest::latin1).toList(),
                        newer.stream().map(NotifyRelayTest::latin1).toList(), why);
            }
            assertEquals(out.withFds(), fds == 1 && newer.size() == 1 && Arrays.equals(newer.getFirst(), bytes("BARRIER=1")), why);
            messages++;
        }
        System.out.println("NotifyRelayTest: " + messages + " random messages, seed " + seed);
        assertTrue(messages > 1000, "only " + messages + " messages in 3 s");
    }

    @Test
    void notifySocketIsAPathOrAnAbstractName() {
        assertEquals(Optional.of(new ListenAddress.Unix("/run/systemd/notify", false)), NotifyRelay.target("/run/systemd/notify"));
        assertEquals(Optional.of(new ListenAddress.Unix("host-notify", true)), NotifyRelay.target("@host-notify"));
        assertEquals(Optional.empty(), NotifyRelay.target("vsock:2:1234"));
        assertEquals(Optional.empty(), NotifyRelay.target("@"));
        assertEquals(Optional.empty(), NotifyRelay.target("relative/path"));
    }

    /** Names of sd_notify(3) that cannot move the main pid, open systemd's socket, or store or carry fds; X_ ones but systemd's. */
    private static final Set<String> SAFE = Set.of("READY", "RELOADING", "STOPPING", "MONOTONIC_USEC", "STATUS", "ERRNO", "BUSERROR",
            "VARLINKERROR", "EXIT_STATUS", "EXTEND_TIMEOUT_USEC", "WATCHDOG", "WATCHDOG_USEC", "RESTART_RESET");

    private static boolean safe(byte[] assignment) {
        int equals = indexOf(assignment, (byte) '=');
        if (equals < 0) {
            return false;
        }
        String name = latin1(Arrays.copyOf(assignment, equals));
        return SAFE.contains(name) || (name.startsWith("X_") && !name.startsWith("X_SYSTEMD_"));
    }

    private static final String[] PIECES = {"READY=1", "STATUS=", "MAINPID=", "MAINPIDFD=1", "MAINPIDFDID=", "NOTIFYACCESS=all",
        "FDSTORE=1", "FDNAME=x", "BARRIER=1", "WATCHDOG=1", "X_A=", "X_SYSTEMD_B=", "MAIN", "PID=", "=", "1", "\n", "\r", "\r\n",
        "\\", "\\\n", "\\\r", "\\\\", "\0", "\u00e9", "\u00ff", "\"", "'", " ", "EXTEND_TIMEOUT_USEC=9", "STAT", "US=", "NOTIFY", "ACCESS="};

    /** Pieces of real and dangerous assignments, breaks, escapes, NULs and bytes that are not UTF-8, in any order. */
    private static byte[] randomMessage(Random random) {
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        int pieces = random.nextInt(12);
        for (int i = 0; i < pieces; i++) {
            if (random.nextInt(8) == 0) {
                m.write(random.nextInt(256));
            } else {
                m.writeBytes(bytes(PIECES[random.nextInt(PIECES.length)]));
            }
        }
        return m.toByteArray();
    }

    /** systemd's reading of a notification datagram, written out from its sources independently of NotifyMessage. */
    private static final class SystemdReading {
        /**
         * notify_recv() and strv_split_newlines(): a NUL before the last byte ignores the message;
         * extract_first_word(separators "\n\r", flags 0): separators coalesce, a backslash takes
         * the next byte literally, a trailing backslash fails (null: ignored).
         */
        static List<byte[]> newer(byte[] message) {
            int n = message.length;
            if (n > 1 && indexOf(Arrays.copyOf(message, n - 1), (byte) 0) >= 0) {
                return null;
            }
            String s = latin1(message);
            if (s.indexOf('\0') >= 0) {
                s = s.substring(0, s.indexOf('\0'));
            }
            List<byte[]> words = new ArrayList<>();
            int p = 0;
            while (true) {
                while (p < s.length() && (s.charAt(p) == '\n' || s.charAt(p) == '\r')) {
                    p++;
                }
                if (p >= s.length()) {
                    return words;
                }
                StringBuilder word = new StringBuilder();
                boolean backslash = false;
                for (; p < s.length(); p++) {
                    char c = s.charAt(p);
                    if (backslash) {
                        word.append(c);
                        backslash = false;
                    } else if (c == '\\') {
                        backslash = true;
                    } else if (c == '\n' || c == '\r') {
                        break;
                    } else {
                        word.append(c);
                    }
                }
                if (backslash) {
                    return null;
                }
                words.add(bytes(word.toString()));
            }
        }

        /** Older systemd: strv_split(s, "\n\r"), every byte literal, empty words skipped. */
        static List<byte[]> older(byte[] message) {
            String s = latin1(message);
            if (s.indexOf('\0') >= 0) {
                s = s.substring(0, s.indexOf('\0'));
            }
            return Arrays.stream(s.split("[\n\r]+")).filter(w -> !w.isEmpty()).map(NotifyRelayTest::bytes).toList();
        }
    }

    private static boolean isSubsequence(List<byte[]> part, List<byte[]> whole) {
        int i = 0;
        for (byte[] w : whole) {
            if (i < part.size() && Arrays.equals(part.get(i), w)) {
                i++;
            }
        }
        return i == part.size();
    }

    private static void assertPassed(String expected, String message) {
        assertRelayed(expected, false, List.of(), message, 0);
    }

    private static void assertRelayed(String text, boolean withFds, List<NotifyRelay.Dropped> dropped, String message, int fds) {
        assertEquals(new NotifyRelay.Relayed(bytes(text), withFds, dropped), NotifyRelay.relayed(bytes(message), fds), message);
    }

    private static NotifyRelay.Dropped dropped(NotifyRelay.Drop why, String name) {
        return new NotifyRelay.Dropped(why, name);
    }

    /** Each char below 256 as one byte: "\u00e9" is the byte 0xe9, as a program may send it. */
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String latin1(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
