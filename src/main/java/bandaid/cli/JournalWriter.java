package bandaid.cli;

import bandaid.nativeaccess.FileIds;
import bandaid.socket.Bytes;
import java.io.PrintStream;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Map;
import org.tinylog.Level;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.Writer;

/**
 * bandaid's log lines on stderr, one line per event: {@code bandaid: WARN: ...}. When stderr is
 * the journal (JOURNAL_STREAM names stderr's device and inode, systemd.exec(5)), each line
 * starts with its syslog priority instead ({@code <4>bandaid: ...}, sd-daemon(3)), so
 * {@code journalctl -p warning} shows bandaid's warnings.
 */
public final class JournalWriter implements Writer {
    private final PrintStream err = System.err;
    private final boolean journal;

    /** tinylog makes writers through this constructor; {@code journal} says whether stderr is the journal (Main). */
    public JournalWriter(Map<String, String> properties) {
        this.journal = Boolean.parseBoolean(properties.get("journal"));
    }

    static boolean stderrIsJournal(String journalStream) {
        if (journalStream == null || journalStream.isEmpty()) {
            return false;
        }
        return FileIds.ofOwnFd(2).map(f -> journalStream.equals(f.device() + ":" + f.inode())).orElse(false);
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        return EnumSet.of(LogEntryValue.LEVEL, LogEntryValue.MESSAGE, LogEntryValue.EXCEPTION);
    }

    @Override
    public void write(LogEntry entry) {
        StringBuilder line = new StringBuilder();
        if (journal) {
            line.append('<').append(priority(entry.getLevel())).append('>').append("bandaid: ");
        } else {
            line.append("bandaid: ").append(entry.getLevel()).append(": ");
        }
        line.append(entry.getMessage());
        if (entry.getException() != null) {
            line.append(": ").append(entry.getException());
        }
        // One event, one line, whatever bytes a path or a value in it held.
        err.println(Bytes.oneLine(line.toString()));
    }

    /** sd-daemon(3): SD_ERR 3, SD_WARNING 4, SD_INFO 6, SD_DEBUG 7. */
    static int priority(Level level) {
        return switch (level) {
            case ERROR -> 3;
            case WARN -> 4;
            case INFO -> 6;
            case DEBUG, TRACE, OFF -> 7;
        };
    }

    @Override
    public void flush() {
        err.flush();
    }

    @Override
    public void close() {
        err.flush();
    }
}
