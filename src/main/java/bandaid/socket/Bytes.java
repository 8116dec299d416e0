package bandaid.socket;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Names the kernel keeps as bytes (paths, abstract names, arguments), shown to people. */
public final class Bytes {
    private Bytes() {
    }

    /**
     * {@code bytes} as UTF-8 when they are valid UTF-8 without control characters; otherwise
     * each byte that is not printable ASCII as {@code \xNN}, the way systemd-escape and ls -b
     * show names, so two different names never print the same.
     */
    public static String printable(byte[] bytes) {
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
            if (text.chars().noneMatch(c -> c < 0x20 || c == 0x7f || c == '\\')) {
                return text;
            }
        } catch (CharacterCodingException e) {
            // shown byte by byte below
        }
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }

    /**
     * {@code text} on one line: control characters (a newline a user passed in a value, a
     * program's path) as {@code \xNN}, so a message is always exactly one line.
     */
    public static String oneLine(String text) {
        StringBuilder s = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || c == 0x85) {
                s.append(c > 0xff ? String.format("\\u%04x", c) : String.format("\\x%02x", c));
            } else {
                s.appendCodePoint(c);
            }
        });
        return s.toString();
    }
}
