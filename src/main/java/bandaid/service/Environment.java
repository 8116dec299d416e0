package bandaid.service;

import bandaid.nativeaccess.Processes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * bandaid's environment, read once: as text, for bandaid's own variables (LISTEN_*, PATH), and
 * as the bytes it was given, for the program. The JVM decodes environ with the locale's charset
 * (sun.jnu.encoding): with LANG unset é becomes ?, and bytes that are not UTF-8 become U+FFFD;
 * the program must get exactly what bandaid got. The launcher passes some entries past bandaid's
 * JVM under another name (scripts/lib/launch.sh): {@link #given} puts them back.
 *
 * @param variables the variables as text (UTF-8, lossy only for bytes that are not UTF-8)
 * @param raw       each {@code NAME=value} entry as bytes, in order
 */
public record Environment(Map<String, String> variables, List<byte[]> raw) {
    /** How scripts/lib/launch.sh names an entry it carries past bandaid's JVM. */
    private static final byte[] CARRIED = "BANDAID_CARRIED_".getBytes(StandardCharsets.US_ASCII);

    public Environment {
        variables = Collections.unmodifiableMap(new LinkedHashMap<>(variables));
        raw = List.copyOf(raw);
    }

    /** An environment given as text (tests, and a JVM that cannot read /proc/self/environ). */
    public static Environment of(Map<String, String> variables) {
        List<byte[]> raw = new ArrayList<>();
        variables.forEach((k, v) -> raw.add((k + "=" + v).getBytes(StandardCharsets.UTF_8)));
        return new Environment(variables, raw);
    }

    /** This process's environment, from /proc/self/environ (proc(5)): the bytes as exec(2) passed them. */
    public static Environment ofThisProcess() {
        try {
            List<byte[]> raw = split(Processes.own("environ"));
            Map<String, String> variables = new LinkedHashMap<>();
            for (byte[] entry : raw) {
                String text = new String(entry, StandardCharsets.UTF_8);
                int eq = text.indexOf('=');
                if (eq > 0) {
                    variables.putIfAbsent(text.substring(0, eq), text.substring(eq + 1));
                }
            }
            return new Environment(variables, raw);
        } catch (IOException e) {
            return of(System.getenv());
        }
    }

    public String get(String name) {
        return variables.get(name);
    }

    /** {@code entries} without the variables named. */
    static List<byte[]> without(List<byte[]> entries, List<String> names) {
        return entries.stream().filter(entry -> names.stream().noneMatch(n -> startsWith(entry, (n + "=").getBytes(StandardCharsets.UTF_8))))
                .toList();
    }

    /**
     * The environment bandaid was given, as the program is to get it: the raw entries without
     * {@code launcherVariables} (those the launcher set for bandaid's JVM), and with each entry the
     * launcher carried past the JVM ({@code BANDAID_CARRIED_<position>=<entry>}: the JVM's own
     * options, LD_*, and whatever env(1) could not pass as it is; scripts/lib/launch.sh) back as
     * it was, in its place.
     */
    public List<byte[]> given(List<String> launcherVariables) {
        List<byte[]> given = new ArrayList<>();
        for (byte[] entry : without(raw, launcherVariables)) {
            given.add(carried(entry).orElse(entry));
        }
        return given;
    }

    /** The entry that {@code entry} carries, if it is {@code BANDAID_CARRIED_<digits>=<entry>}. */
    private static Optional<byte[]> carried(byte[] entry) {
        if (!startsWith(entry, CARRIED)) {
            return Optional.empty();
        }
        int i = CARRIED.length;
        while (i < entry.length && entry[i] >= '0' && entry[i] <= '9') {
            i++;
        }
        if (i == CARRIED.length || i == entry.length || entry[i] != '=') {
            return Optional.empty();
        }
        return Optional.of(Arrays.copyOfRange(entry, i + 1, entry.length));
    }

    private static boolean startsWith(byte[] entry, byte[] prefix) {
        return entry.length >= prefix.length && Arrays.equals(entry, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** NUL-separated strings (/proc/PID/environ and cmdline end each one with a NUL). */
    static List<byte[]> split(byte[] bytes) {
        List<byte[]> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                parts.add(Arrays.copyOfRange(bytes, start, i));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            parts.add(Arrays.copyOfRange(bytes, start, bytes.length));
        }
        return parts;
    }

    /**
     * The last {@code count} arguments this process was started with, as bytes, from
     * /proc/self/cmdline: the JVM's main() gets them decoded with the locale's charset.
     *
     * @return the arguments encoded as UTF-8 when /proc/self/cmdline cannot be read
     */
    public static List<byte[]> argumentsOfThisProcess(String[] decoded) {
        try {
            List<byte[]> all = split(Processes.own("cmdline"));
            if (all.size() >= decoded.length) {
                return all.subList(all.size() - decoded.length, all.size());
            }
        } catch (IOException e) {
            // below
        }
        return Arrays.stream(decoded).map(a -> a.getBytes(StandardCharsets.UTF_8)).toList();
    }
}
