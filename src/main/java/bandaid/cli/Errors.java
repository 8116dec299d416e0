package bandaid.cli;

import bandaid.BandaidException;
import bandaid.socket.Bytes;
import bandaid.service.Environment;
import java.io.PrintStream;

/** How a failure is told: one line on stderr, with the journal's priority when stderr is the journal. */
record Errors(PrintStream err, Environment env) {
    int fail(BandaidException e) {
        err.println((journal() ? "<3>" : "") + "bandaid: " + Bytes.oneLine(e.getMessage()));
        return e.exitCode().code();
    }

    boolean journal() {
        return JournalWriter.stderrIsJournal(env.get("JOURNAL_STREAM"));
    }
}
