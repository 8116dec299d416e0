package bandaid.broker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one message a wrapper sends the broker: {@code key value} lines after a line naming the
 * protocol, with fds (SCM_RIGHTS) in a fixed order: the seccomp listener, the wrapper's stderr,
 * then the passed sockets in LISTEN_FDS order. The broker trusts none of it beyond the wrapper's
 * own service: it looks at every fd itself.
 *
 * @param version  the wrapper's bandaid version (said in the broker's lines)
 * @param program  the program's name, as the lines about it say it
 * @param journal  the wrapper's stderr is the journal: lines carry their syslog priority
 * @param exitIdle --exit-idle-time, when not infinity
 * @param names    each passed socket's LISTEN_FDNAMES entry, in order
 */
public record Handoff(String version, String program, String match, List<String> maps, boolean strict,
                      Optional<Duration> exitIdle, boolean verbose, boolean journal, List<String> names) {
    /** The first line; a broker that speaks another protocol refuses the handoff, naming its own. */
    public static final String PROTOCOL = "bandaid-handoff 1";
    /** The fds before the passed sockets: the listener and the wrapper's stderr. */
    public static final int FIRST_SOCKET = 2;
    /** The most bytes a handoff may have: far more than any real one, and a bound for a hostile one. */
    public static final int MOST_BYTES = 16 * 1024;
    /** The broker's answer when it has taken the handoff. */
    public static final String TAKEN = "taken";
    /** The start of the broker's answer when it refuses; the reason follows. */
    public static final String REFUSED = "refused: ";
    /**
     * How a refusal for the limits on handoffs read at once begins: the broker is busy with other
     * handoffs, and the same handoff is taken when tried again a moment later.
     */
    public static final String BUSY = "too many handoffs at once";

    public Handoff {
        maps = List.copyOf(maps);
        names = List.copyOf(names);
    }

    /** How many fds come with the message. */
    public int fds() {
        return FIRST_SOCKET + names.size();
    }

    public byte[] encode() {
        StringBuilder text = new StringBuilder(PROTOCOL).append('\n');
        line(text, "version", version);
        line(text, "program", program);
        line(text, "match", match);
        maps.forEach(m -> line(text, "map", m));
        line(text, "strict", strict ? "1" : "0");
        exitIdle.ifPresent(d -> line(text, "exit-idle-ms", Long.toString(d.toMillis())));
        line(text, "verbose", verbose ? "1" : "0");
        line(text, "journal", journal ? "1" : "0");
        names.forEach(n -> line(text, "name", n));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void line(StringBuilder text, String key, String value) {
        if (value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(key + " has a newline or NUL: " + value.replace("\n", "\\n"));
        }
        text.append(key).append(' ').append(value).append('\n');
    }

    /**
     * Reads a handoff, refusing anything that is not one: another protocol, an unknown or
     * repeated key, a missing one, a value out of range.
     *
     * @throws IllegalArgumentException why it is not a handoff, in a few words
     */
    public static Handoff decode(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        String[] lines = text.split("\n", -1);
        if (!lines[0].equals(PROTOCOL)) {
            throw new IllegalArgumentException("not " + PROTOCOL + " (it began \""
                    + lines[0].substring(0, Math.min(40, lines[0].length())).replaceAll("\\p{Cntrl}", "?") + "\")");
        }
        if (!text.endsWith("\n")) {
            throw new IllegalArgumentException("the last line is cut");
        }
        String version = null;
        String program = null;
        String match = null;
        Boolean strict = null;
        Boolean verbose = null;
        Boolean journal = null;
        Optional<Duration> exitIdle = Optional.empty();
        List<String> maps = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i < lines.length - 1; i++) {
            String line = lines[i];
            int space = line.indexOf(' ');
            if (space <= 0) {
                throw new IllegalArgumentException("line " + (i + 1) + " is not \"key value\"");
            }
            String key = line.substring(0, space);
            String value = line.substring(space + 1);
            switch (key) {
                case "version" -> version = once(key, version, value);
                case "program" -> program = once(key, program, value);
                case "match" -> match = once(key, match, oneOf(key, value, "address", "socket"));
                case "map" -> maps.add(value);
                case "strict" -> strict = once(key, strict, flag(key, value));
                case "verbose" -> verbose = once(key, verbose, flag(key, value));
                case "journal" -> journal = once(key, journal, flag(key, value));
                case "exit-idle-ms" -> {
                    if (exitIdle.isPresent()) {
                        throw new IllegalArgumentException("exit-idle-ms given twice");
                    }
                    exitIdle = Optional.of(Duration.ofMillis(positive(key, value)));
                }
                case "name" -> names.add(value);
                default -> throw new IllegalArgumentException("unknown key \"" + key.replaceAll("\\p{Cntrl}", "?") + "\"");
            }
        }
        if (version == null || program == null || match == null || strict == null || verbose == null || journal == null) {
            throw new IllegalArgumentException("a key is missing (version, program, match, strict, verbose and journal are needed)");
        }
        if (names.isEmpty()) {
            throw new IllegalArgumentException("no passed socket is named");
        }
        return new Handoff(version, program, match, maps, strict, exitIdle, verbose, journal, names);
    }

    private static <T> T once(String key, T before, T value) {
        if (before != null) {
            throw new IllegalArgumentException(key + " given twice");
        }
        return value;
    }

    private static String oneOf(String key, String value, String... allowed) {
        for (String a : allowed) {
            if (a.equals(value)) {
                return value;
            }
        }
        throw new IllegalArgumentException(key + " is not one of " + String.join(", ", allowed));
    }

    private static boolean flag(String key, String value) {
        return oneOf(key, value, "0", "1").equals("1");
    }

    private static long positive(String key, String value) {
        try {
            long n = Long.parseLong(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw new IllegalArgumentException(key + " is not a positive number");
    }
}
