package bandaid.cli;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Time spans the way systemd.time(7) writes them: {@code 30}, {@code 30s}, {@code 500ms}, {@code 5min}, {@code 1h 30min}. */
final class Durations {
    private static final Pattern PART = Pattern.compile("\\s*(\\d+)\\s*(us|ms|sec|min|hr|s|m|h|d)?\\s*");

    private Durations() {
    }

    /** @return empty when {@code text} is not a positive span */
    static Optional<Duration> parse(String text) {
        Matcher m = PART.matcher(text);
        Duration total = Duration.ZERO;
        int at = 0;
        while (at < text.length()) {
            if (!m.find(at) || m.start() != at || m.end() == at) {
                return Optional.empty();
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2);
            total = total.plus(switch (unit) {
                case "us" -> Duration.ofNanos(n * 1000);
                case "ms" -> Duration.ofMillis(n);
                case "s", "sec" -> Duration.ofSeconds(n);
                case "m", "min" -> Duration.ofMinutes(n);
                case "h", "hr" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            at = m.end();
        }
        return total.isZero() || text.isBlank() ? Optional.empty() : Optional.of(total);
    }
}
