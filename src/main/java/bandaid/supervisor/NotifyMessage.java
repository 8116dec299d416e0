package bandaid.supervisor;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * One sd_notify(3) datagram read the way systemd reads it (src/shared/notify-recv.c), so that what
 * bandaid decides about an assignment is what systemd will act on: a datagram with a NUL byte
 * before its end is ignored; a line feed or carriage return ends an assignment, a run of them is
 * one break; a backslash takes the next byte as it is and is dropped, and one at the very end makes
 * systemd ignore the datagram; quotes are plain bytes (strv_split_newlines: extract_first_word with
 * "\n\r"). Older systemd kept backslashes as bytes (strv_split), hence
 * {@link Assignment#readsTheSameToEverySystemd}. Names are then looked up with strv_find_startswith
 * (src/core/service.c, service_notify_message).
 */
final class NotifyMessage {
    private NotifyMessage() {
    }

    /**
     * One assignment.
     *
     * @param sent its bytes as the program sent them, escapes and all
     * @param read its bytes as systemd reads them: escapes resolved
     */
    record Assignment(byte[] sent, byte[] read) {
        /** What systemd reads before the first '=' (the whole assignment when it has none). */
        String name() {
            int equals = indexOf(read, (byte) '=');
            return new String(read, 0, equals < 0 ? read.length : equals, StandardCharsets.ISO_8859_1);
        }

        /** Whether it is an assignment at all: systemd finds values by "NAME=" (strv_find_startswith). */
        boolean assigns() {
            return indexOf(read, (byte) '=') >= 0;
        }

        /** Whether systemd reads exactly {@code text}, as strv_contains() compares. */
        boolean reads(String text) {
            return Arrays.equals(read, text.getBytes(StandardCharsets.ISO_8859_1));
        }

        /**
         * Whether an older systemd, which takes a backslash as a byte, reads the same name and the
         * same assignment boundaries: no backslash before the first '=' and no escaped line break.
         * Its value may then still differ by the backslashes, which only the program's own text
         * (STATUS=) shows.
         */
        boolean readsTheSameToEverySystemd() {
            int equals = indexOf(sent, (byte) '=');
            int nameEnd = equals < 0 ? sent.length : equals;
            for (int i = 0; i < sent.length; i++) {
                if (sent[i] == '\n' || sent[i] == '\r' || (sent[i] == '\\' && i < nameEnd)) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Assignment a && Arrays.equals(sent, a.sent) && Arrays.equals(read, a.read);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(sent) + Arrays.hashCode(read);
        }

        @Override
        public String toString() {
            return new String(sent, StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * The assignments of a datagram, in order.
     *
     * @return empty when systemd ignores the datagram as a whole: a NUL byte before its last, or a
     * backslash as its last
     */
    static Optional<List<Assignment>> parse(byte[] datagram) {
        int length = datagram.length;
        // One trailing NUL is permitted (and ends the text); any other is refused.
        int nul = indexOf(datagram, (byte) 0);
        if (nul >= 0) {
            if (nul < length - 1) {
                return Optional.empty();
            }
            length--;
        }
        List<Assignment> assignments = new ArrayList<>();
        int i = 0;
        while (true) {
            while (i < length && isBreak(datagram[i])) {
                i++;
            }
            if (i == length) {
                return Optional.of(assignments);
            }
            int start = i;
            ByteArrayOutputStream read = new ByteArrayOutputStream();
            while (i < length && !isBreak(datagram[i])) {
                if (datagram[i] == '\\') {
                    if (i + 1 == length) {
                        return Optional.empty(); // extract_first_word(): EINVAL, the datagram is ignored
                    }
                    i++;
                }
                read.write(datagram[i]);
                i++;
            }
            assignments.add(new Assignment(Arrays.copyOfRange(datagram, start, i), read.toByteArray()));
        }
    }

    /** systemd's NEWLINE: the separators of strv_split_newlines(). */
    private static boolean isBreak(byte b) {
        return b == '\n' || b == '\r';
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
