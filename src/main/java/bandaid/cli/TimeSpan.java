package bandaid.cli;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Time spans as systemd.time(7) writes them ({@code 30}, {@code 1.5s}, {@code 5min 20s},
 * {@code 300ms20s 5day}, {@code 1y 12month}, {@code infinity}), read by the rules of systemd's
 * parse_time() (src/basic/time-util.c): bandaid takes what {@code systemd-analyze timespan} and
 * {@code systemd-socket-proxyd --exit-idle-time=} take (TimeSpanTest holds them side by side).
 * Like systemd it counts in microseconds: a finer fraction is dropped ({@code 1.0000019s} is
 * 1.000001 seconds), and 2<sup>64</sup>−1 microseconds is systemd's {@code USEC_INFINITY}.
 * Infinity comes back as {@link #INFINITY} (ChronoUnit.FOREVER's duration, longer than any finite
 * span; test with {@link #isInfinite}): for {@code --exit-idle-time}, "never stop".
 */
final class TimeSpan {
    /** What {@code infinity} parses to: longer than any finite span. */
    static final Duration INFINITY = ChronoUnit.FOREVER.getDuration();

    private static final long USEC_INFINITY = -1L; // UINT64_MAX: spans are unsigned 64-bit counts of µs
    private static final long SEC = 1_000_000L;
    private static final long MINUTE = 60 * SEC;
    private static final long HOUR = 60 * MINUTE;
    private static final long DAY = 24 * HOUR;
    private static final long YEAR = 31_557_600 * SEC; // 365.25 days
    private static final long MONTH = 2_629_800 * SEC;  // a twelfth of that, 30.44 days

    /** systemd's WHITESPACE (string-util.h), skipped between parts. */
    private static final String WHITESPACE = " \t\n\r";
    /** isspace(3) in the C locale, which strtoll(3) skips before a number: adds \v and \f. */
    private static final String C_SPACE = " \t\n\u000b\f\r";

    private record Unit(String suffix, long usec) {
    }

    /** extract_multiplier()'s table, in its order: the first suffix the text starts with wins ("ms" before "m"). */
    private static final List<Unit> UNITS = List.of(
            new Unit("seconds", SEC), new Unit("second", SEC), new Unit("sec", SEC), new Unit("s", SEC),
            new Unit("minutes", MINUTE), new Unit("minute", MINUTE), new Unit("min", MINUTE),
            new Unit("months", MONTH), new Unit("month", MONTH), new Unit("M", MONTH),
            new Unit("msec", 1000), new Unit("ms", 1000), new Unit("m", MINUTE),
            new Unit("hours", HOUR), new Unit("hour", HOUR), new Unit("hr", HOUR), new Unit("h", HOUR),
            new Unit("days", DAY), new Unit("day", DAY), new Unit("d", DAY),
            new Unit("weeks", 7 * DAY), new Unit("week", 7 * DAY), new Unit("w", 7 * DAY),
            new Unit("years", YEAR), new Unit("year", YEAR), new Unit("y", YEAR),
            new Unit("usec", 1), new Unit("us", 1), new Unit("\u03bcs", 1), new Unit("\u00b5s", 1)); // Greek mu, micro sign

    private static final String UNIT_HINT = " (use us, ms, s, min, h, d, w, M or y; systemd.time(7))";

    private TimeSpan() {
    }

    static boolean isInfinite(Duration span) {
        return span.equals(INFINITY);
    }

    /**
     * @return the span {@code text} names, {@link #INFINITY} for {@code infinity}
     * @throws IllegalArgumentException with a short reason, when systemd would refuse {@code text}
     */
    static Duration parse(String text) {
        int p = skip(text, 0, WHITESPACE);
        if (text.startsWith("infinity", p)) {
            if (skip(text, p + "infinity".length(), WHITESPACE) != text.length()) {
                throw new IllegalArgumentException("nothing may follow \"infinity\"");
            }
            return INFINITY;
        }
        long usec = 0; // unsigned, as systemd's usec_t
        for (boolean something = false; ; something = true) {
            p = skip(text, p, WHITESPACE);
            if (p == text.length()) {
                if (!something) {
                    throw new IllegalArgumentException("empty time span");
                }
                return Duration.ofSeconds(Long.divideUnsigned(usec, SEC), Long.remainderUnsigned(usec, SEC) * 1000);
            }
            if (text.charAt(p) == '-') {
                throw new IllegalArgumentException("a time span cannot be negative");
            }
            int e = integerEnd(text, p);
            long whole = integerValue(text, p, e);
            int afterNumber;
            if (e < text.length() && text.charAt(e) == '.') {
                afterNumber = skipDigits(text, e + 1); // ".5" counts: strtoll read nothing, the fraction follows
            } else if (e == p) {
                throw new IllegalArgumentException(something && Character.isLetter(text.charAt(p))
                        ? "unknown unit \"" + word(text, p) + "\"" + UNIT_HINT
                        : "expected a number at \"" + word(text, p) + "\"");
            } else {
                afterNumber = e;
            }
            int unitAt = skip(text, afterNumber, WHITESPACE);
            Unit unit = unitAt(text, unitAt);
            int next = unit == null ? unitAt : unitAt + unit.suffix().length();
            // "12.34.56" is refused, "12.34 .56" and "12.34s.56" are two parts (parse_time's comment).
            if (next == afterNumber && next < text.length()) {
                throw new IllegalArgumentException("unknown unit \"" + word(text, next) + "\"" + UNIT_HINT);
            }
            p = next;
            long multiplier = unit == null ? SEC : unit.usec();
            if (Long.compareUnsigned(whole, Long.divideUnsigned(USEC_INFINITY, multiplier)) >= 0) {
                throw tooLarge();
            }
            usec = add(usec, whole * multiplier);
            if (e < text.length() && text.charAt(e) == '.') {
                // Each digit adds its share of the unit, the share rounded down to whole µs as it goes.
                long share = multiplier / 10;
                int b = e + 1;
                for (; b < text.length() && isDigit(text.charAt(b)); b++, share /= 10) {
                    usec = add(usec, (text.charAt(b) - '0') * share);
                }
                if (b == e + 1) {
                    throw new IllegalArgumentException("expected digits after the decimal point in \"" + word(text, e) + "\"");
                }
            }
        }
    }

    private static long add(long usec, long k) {
        if (Long.compareUnsigned(k, USEC_INFINITY - usec) >= 0) {
            throw tooLarge();
        }
        return usec + k;
    }

    private static IllegalArgumentException tooLarge() {
        return new IllegalArgumentException("too large: the longest finite time span is about 584541 years");
    }

    /** Where strtoll(3) stops reading a base-10 number at {@code from}; {@code from} itself when it reads none. */
    private static int integerEnd(String text, int from) {
        int i = skip(text, from, C_SPACE);
        if (i < text.length() && (text.charAt(i) == '+' || text.charAt(i) == '-')) {
            i++;
        }
        int end = skipDigits(text, i);
        return end == i ? from : end;
    }

    /** strtoll(3)'s value; its ERANGE and a value below 0 are both refused by parse_time ("-0" after \v is 0). */
    private static long integerValue(String text, int from, int end) {
        long value = 0;
        boolean negative = false;
        for (int i = from; i < end; i++) {
            char c = text.charAt(i);
            if (c == '-') {
                negative = true;
            } else if (isDigit(c)) {
                if (negative && c != '0') {
                    throw new IllegalArgumentException("a time span cannot be negative");
                }
                if (value > (Long.MAX_VALUE - (c - '0')) / 10) {
                    throw tooLarge();
                }
                value = value * 10 + (c - '0');
            }
        }
        return value;
    }

    private static Unit unitAt(String text, int at) {
        for (Unit unit : UNITS) {
            if (text.startsWith(unit.suffix(), at)) {
                return unit;
            }
        }
        return null;
    }

    private static int skip(String text, int from, String chars) {
        int i = from;
        while (i < text.length() && chars.indexOf(text.charAt(i)) >= 0) {
            i++;
        }
        return i;
    }

    private static int skipDigits(String text, int from) {
        int i = from;
        while (i < text.length() && isDigit(text.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /** The text from {@code from} to the next whitespace, to name in a message. */
    private static String word(String text, int from) {
        int end = from;
        while (end < text.length() && C_SPACE.indexOf(text.charAt(end)) < 0) {
            end++;
        }
        return text.substring(from, end);
    }
}
