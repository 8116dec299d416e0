package bandaid.e2e;

import java.time.Duration;

/**
 * How long the end-to-end tests wait for something that takes longer on a slower machine (a
 * server's first answer, a line in a log, a process's exit): the duration a test names, times the
 * factor in the system property {@code bandaid.test.timeScale} (1 unless set). scripts/kernels
 * sets it for the tests it runs in virtual machines, whose emulated CPU starts a JVM about ten
 * times slower than the host does. Only waits are scaled, never a lower bound a test asserts.
 */
public final class Timeouts {
    private static final double SCALE = scale(System.getProperty("bandaid.test.timeScale", "1"));

    private Timeouts() {
    }

    private static double scale(String value) {
        double scale;
        try {
            scale = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bandaid.test.timeScale=" + value + " is not a number", e);
        }
        if (!(scale >= 1)) {
            throw new IllegalArgumentException("bandaid.test.timeScale=" + value + " must be 1 or more");
        }
        return scale;
    }

    /** {@code wait} as long as this machine needs it. */
    public static Duration scaled(Duration wait) {
        return SCALE == 1 ? wait : Duration.ofMillis(Math.round(wait.toMillis() * SCALE));
    }
}
