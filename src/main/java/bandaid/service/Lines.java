package bandaid.service;

/**
 * Where bandaid's lines about one program go: bandaid's own log in wrapper mode ({@link #own()}),
 * that service's own journal stream in broker mode. Formats take {@code {}} placeholders, as
 * tinylog's do.
 */
public interface Lines {
    /** Whether debug lines are written (-v). */
    boolean debugging();

    void debug(String format, Object... arguments);

    void info(String format, Object... arguments);

    void warn(String format, Object... arguments);

    void error(String format, Object... arguments);

    /** bandaid's own log (tinylog, {@link Log}). */
    static Lines own() {
        return OwnLines.INSTANCE;
    }

    /** {@code format} with each {@code {}} replaced by the next argument, as tinylog does. */
    static String format(String format, Object... arguments) {
        StringBuilder text = new StringBuilder(format.length() + 32);
        int next = 0;
        int from = 0;
        for (int at = format.indexOf("{}"); at >= 0; at = format.indexOf("{}", from)) {
            text.append(format, from, at).append(next < arguments.length ? String.valueOf(arguments[next++]) : "{}");
            from = at + 2;
        }
        return text.append(format, from, format.length()).toString();
    }

    /** Lines that go to {@link Log}. */
    enum OwnLines implements Lines {
        INSTANCE;

        @Override
        public boolean debugging() {
            return Log.debugging();
        }

        @Override
        public void debug(String format, Object... arguments) {
            Log.debug(format, arguments);
        }

        @Override
        public void info(String format, Object... arguments) {
            Log.info(format, arguments);
        }

        @Override
        public void warn(String format, Object... arguments) {
            Log.warn(format, arguments);
        }

        @Override
        public void error(String format, Object... arguments) {
            Log.error(format, arguments);
        }
    }
}
