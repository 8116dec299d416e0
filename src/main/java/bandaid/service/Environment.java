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

/**
 * bandaid's environment, read once: as text, for bandaid's own variables (LISTEN_*, PATH), and
 * as the bytes it was given, for the program. The JVM decodes environ with the locale's charset
 * (sun.jnu.encoding): with LANG unset é becomes ?, and bytes that are not UTF-8 become U+FFFD;
 * the program must get exactly what bandaid got.
 *
 * @param variables the variables as text (UTF-8, lossy only for bytes that are not UTF-8)
 * @param raw       each {@code NAME=value} entry as bytes, in order
 */
public record Environment(Map<String, String> variables, List<byte[]> raw) {
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

    /** The raw entries without the variables named: what the program gets. */
    public List<byte[]> rawWithout(List<String> names) {
        return raw.stream().filter(entry -> names.stream().noneMatch(n -> startsWith(entry, (n + "=").getBytes(StandardCharsets.UTF_8))))
                .toList();
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
