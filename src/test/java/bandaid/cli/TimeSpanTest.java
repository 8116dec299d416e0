package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --exit-idle-time} takes what systemd takes: {@link TimeSpan} against
 * {@code systemd-analyze timespan} over a generated list of spans, valid and not.
 */
class TimeSpanTest {
    private static final BigInteger USEC_INFINITY = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);

    @Test
    void readsTheSpansOfSystemdTime7() {
        Map<String, Duration> spans = Map.ofEntries(
                Map.entry("30", Duration.ofSeconds(30)),
                Map.entry("30s", Duration.ofSeconds(30)),
                Map.entry("500ms", Duration.ofMillis(500)),
                Map.entry("5min", Duration.ofMinutes(5)),
                Map.entry("1h 30min", Duration.ofMinutes(90)),
                Map.entry("2hours", Duration.ofHours(2)),
                Map.entry("1.5s", Duration.ofMillis(1500)),
                Map.entry("5µs", Duration.ofNanos(5000)),
                Map.entry("1w", Duration.ofDays(7)),
                Map.entry("1y 12month", Duration.ofHours(2 * 8766)),
                Map.entry("300ms20s 5day", Duration.ofDays(5).plusSeconds(20).plusMillis(300)),
                Map.entry(" 0 ", Duration.ZERO));
        spans.forEach((text, span) -> assertEquals(span, TimeSpan.parse(text), text));
        assertTrue(TimeSpan.isInfinite(TimeSpan.parse("infinity")));
        assertTrue(TimeSpan.parse("584541y").compareTo(TimeSpan.INFINITY) < 0, "infinity is longer than any finite span");
    }

    @Test
    void refusesTheRestSayingWhy() {
        Map<String, String> reasons = Map.of(
                "", "empty",
                "abc", "expected a number",
                "5 parsecs", "unknown unit \"parsecs\"",
                "5x", "unknown unit \"x\"",
                "-3s", "negative",
                "5.", "decimal point",
                "584543y", "too large",
                "infinity s", "nothing may follow");
        reasons.forEach((text, reason) -> {
            try {
                fail(text + " parsed as " + TimeSpan.parse(text));
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage().contains(reason), text + ": " + e.getMessage());
            }
        });
    }

    @Test
    void agreesWithSystemdAnalyzeOnGeneratedSpans() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/systemd-analyze")), "systemd-analyze is not installed");
        List<String> inputs = generated();
        List<String> systemd = systemdAnalyze(inputs);
        List<String> disagreements = new ArrayList<>();
        int accepted = 0;
        for (int i = 0; i < inputs.size(); i++) {
            String ours = micros(inputs.get(i));
            accepted += ours.equals("rejected") ? 0 : 1;
            if (!ours.equals(systemd.get(i))) {
                disagreements.add(quoted(inputs.get(i)) + ": systemd " + systemd.get(i) + ", bandaid " + ours);
            }
        }
        assertEquals(List.of(), disagreements.subList(0, Math.min(20, disagreements.size())),
                disagreements.size() + " of " + inputs.size() + " generated spans (the first 20 shown)");
        // So that agreement means something: the list holds plenty of both kinds.
        assertTrue(accepted > inputs.size() / 3 && accepted < inputs.size() * 9 / 10,
                accepted + " of " + inputs.size() + " accepted");
    }

    /** Edge cases read off parse_time(), then random concatenations of numbers, units, spacing and junk. */
    static List<String> generated() {
        Set<String> inputs = new LinkedHashSet<>(List.of(
                "", " ", "\t", "0", "-0", "+0", "00", "-1", "- 1", "+5", "++5", "+-5", "5+3", "5 +3", "5 -3", "\u000b5", "\f5",
                "\u000b-0", "\u000b-5", "\u000b.5", ".5", ".5s", "+.5", "-.5", ".", "..5", "5.", "5.s", "5. s", "5.5.5", "5.5 .5",
                "5.5s.5", "1s.5", "0.-0", "3.+1", "3. 1", "3.sec", "3.hoge", "1e3", "0x10", "1,5", "1_000", "١", "5 5", "5s5",
                "infinity", " infinity\t", "infinity\n", "infinity ", "infinityx", "infinity s", "infinity5", "Infinity",
                "inf", "1s infinity", "infinity infinity", "infinity\u000b", "\u000binfinity", "5\u000bs", "5 \u000bs", "1MS", "1M1",
                "9223372036854775807", "9223372036854775807us", "9223372036854775808us", "9223372036854775807us 9223372036854775807us",
                "9223372036854775807us 9223372036854775808us", "18446744073709551614us", "18446744073709551615us",
                "584542y", "584543y", "584542.04y", "584542.05y", "584542y 1y", "584542y 16d", "584542y 17d",
                "18446744073709.551614s", "18446744073709.551615s", "18446744073709551s", "18446744073709552s",
                "0.9999999s", "1.9999999999s", "1.99999999999M", "0.00000000000000000000001y", "1.123456789123456789123y",
                "1msec", "1ms", "1m", "1mo", "1M", "1Ms", "1mss", "1mins", "1minutes", "1minutesx", "1S", "1H", "1D", "1W", "1Y",
                "1 h r", "1 hrs", "1sec1", "1s 1", "1 s s", "1µ", "1μ", "1u", "1ns", "1nsec", "1 µs", "1μsec", "1usecs",
                "5 parsecs", "5\u00a0s", "5\u3000s", "5s\u00a0", "1h\r\n30min", "1h\u000b30min", "1h\f30min", "30min\u000b"));
        String[] numbers = {"0", "1", "2", "5", "10", "30", "59", "90", "007", "100", "1000", "123456789", "1.5", "0.5", ".5",
            "2.25", "1.000001", "1.0000009", "0.1234567", "3.14159265358979", "+5", "99999999999", "4", "15", "60", "365", "0.25",
            "5.", "-1", "1e3"};
        String[] units = {"", "", "", "usec", "us", "µs", "μs", "msec", "ms", "seconds", "second", "sec", "s", "minutes",
            "minute", "min", "m", "hours", "hour", "hr", "h", "days", "day", "d", "weeks", "week", "w", "months", "month",
            "M", "years", "year", "y"};
        String[] junk = {"x", "secs", "mins", "hrs", "ns", "S", "Sec", "parsecs", "s.", ".", "-", ","};
        String[] spacing = {"", "", "", " ", "\t"};
        String[] joints = {" ", " ", "", "  ", "\t", "\n", "\r"};
        String[] edges = {"", "", "", "", " ", "\t", "\n", "\r", "\u000b", "\f"};
        Random random = new Random(16);
        while (inputs.size() < 400) {
            StringBuilder span = new StringBuilder(pick(random, edges));
            int parts = 1 + random.nextInt(3);
            for (int part = 0; part < parts; part++) {
                span.append(part == 0 ? "" : pick(random, joints))
                        .append(pick(random, numbers))
                        .append(pick(random, spacing))
                        .append(random.nextInt(16) == 0 ? pick(random, junk) : pick(random, units));
            }
            inputs.add(span.append(pick(random, edges)).toString());
        }
        return List.copyOf(inputs);
    }

    private static String pick(Random random, String[] choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** TimeSpan's answer in systemd-analyze's terms: µs, or "rejected". */
    private static String micros(String input) {
        try {
            Duration span = TimeSpan.parse(input);
            if (TimeSpan.isInfinite(span)) {
                return USEC_INFINITY.toString();
            }
            return BigInteger.valueOf(span.getSeconds()).multiply(BigInteger.valueOf(1_000_000))
                    .add(BigInteger.valueOf(span.getNano() / 1000)).toString();
        } catch (IllegalArgumentException e) {
            return "rejected";
        }
    }

    /**
     * systemd-analyze's answer for each input: its "us:" line, or "rejected". One call reads many
     * spans but stops at the first it refuses, so each round starts after the last refusal: a
     * call per refusal, shared between two shells. The inputs travel NUL-separated in a file,
     * untouched by the JVM's argument encoding.
     */
    private static List<String> systemdAnalyze(List<String> inputs) throws IOException, InterruptedException {
        int half = inputs.size() / 2;
        List<List<String>> shares = List.of(inputs.subList(0, half), inputs.subList(half, inputs.size()));
        List<Process> shells = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        try {
            for (List<String> share : shares) {
                Path file = Files.createTempFile("timespans", ".bin");
                files.add(file);
                Files.write(file, String.join("\0", share).concat("\0").getBytes(StandardCharsets.UTF_8));
                shells.add(systemdAnalyzeEach(file));
            }
            List<String> answers = new ArrayList<>();
            for (Process shell : shells) {
                String out = new String(shell.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                assertTrue(shell.waitFor(60, TimeUnit.SECONDS), "systemd-analyze timespan took over a minute");
                answers.addAll(out.lines().toList());
            }
            assertEquals(inputs.size(), answers.size(), "one answer per input from systemd-analyze: " + answers);
            return answers;
        } finally {
            for (Path file : files) {
                Files.delete(file);
            }
        }
    }

    private static Process systemdAnalyzeEach(Path file) throws IOException {
        String script = """
                mapfile -d '' -t inputs < "$1"
                i=0
                while (( i < ${#inputs[@]} )); do
                    out=$(systemd-analyze timespan -- "${inputs[@]:i}" 2>/dev/null) && status=0 || status=$?
                    while IFS= read -r line; do
                        if [[ $line =~ ^\\ +us:\\ ([0-9]+)$ ]]; then echo "${BASH_REMATCH[1]}"; i=$((i + 1)); fi
                    done <<< "$out"
                    if (( status != 0 )); then echo rejected; i=$((i + 1)); fi
                done
                """;
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", script, "bash", file.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        builder.environment().put("LC_ALL", "C"); // "us:" rather than "μs:"; bytes, not characters, in bash
        return builder.start();
    }

    private static String quoted(String input) {
        StringBuilder s = new StringBuilder("\"");
        for (char c : input.toCharArray()) {
            s.append(c >= ' ' && c < 127 ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return s.append('"').toString();
    }
}
