package bandaid;

/**
 * A failure bandaid reports to the user as one line on stderr, exiting with {@link #exitCode()}.
 * The message is written for the person reading the journal: what is wrong and what to do.
 */
public class BandaidException extends Exception {
    private final ExitCode exitCode;

    public BandaidException(ExitCode exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public BandaidException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
