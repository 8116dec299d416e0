package bandaid.broker;

import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.JournalSocket;
import bandaid.service.Lines;
import bandaid.service.Log;
import bandaid.socket.Bytes;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The lines about one service, where its own lines go. Where the wrapper's stderr was the journal,
 * they are journal entries naming the program (OBJECT_PID=, so `journalctl -u web` shows them
 * with the service's own: a line written into the service's journal stream would be filed under
 * the broker's unit, since journald files each line by its writer); elsewhere they are written to
 * the stderr the wrapper handed over, as the wrapper would have written them. What is not debug
 * goes to the broker's own log too, naming the service. A write never waits: a service whose
 * stderr nobody reads loses lines (counted), never holds up the broker.
 */
final class TenantLines implements Lines {
    /** No stderr: the lines go to the broker's own log only. */
    static final int NOWHERE = -1;

    private final int fd;
    private final OptionalInt nonBlocking;
    private final Optional<JournalSocket> journal;
    private final int pid;
    private final boolean verbose;
    private final String service;
    private final AtomicLong lost = new AtomicLong();

    /**
     * @param fd      the service's stderr, the broker's own copy
     * @param journal the journal, where the wrapper's stderr was the journal
     * @param pid     the program's pid, which the journal entries name
     * @param service how the broker's own log names the service
     */
    TenantLines(int fd, Optional<JournalSocket> journal, int pid, boolean verbose, String service) {
        this.fd = fd;
        this.nonBlocking = fd == NOWHERE || journal.isPresent() ? OptionalInt.empty() : Fds.reopenNonBlocking(fd);
        this.journal = journal;
        this.pid = pid;
        this.verbose = verbose;
        this.service = service;
    }

    @Override
    public boolean debugging() {
        return verbose;
    }

    @Override
    public void debug(String format, Object... arguments) {
        if (verbose) {
            write(7, "DEBUG: ", Lines.format(format, arguments));
        }
    }

    @Override
    public void info(String format, Object... arguments) {
        String line = Lines.format(format, arguments);
        write(6, "INFO: ", line);
        Log.info("{}: {}", service, line);
    }

    @Override
    public void warn(String format, Object... arguments) {
        String line = Lines.format(format, arguments);
        write(4, "WARN: ", line);
        Log.warn("{}: {}", service, line);
    }

    @Override
    public void error(String format, Object... arguments) {
        String line = Lines.format(format, arguments);
        write(3, "ERROR: ", line);
        Log.error("{}: {}", service, line);
    }

    /** As cli.JournalWriter writes bandaid's own lines: "bandaid: ..." with a priority to the journal, "bandaid: WARN: ..." elsewhere. */
    private void write(int priority, String level, String message) {
        String text = Bytes.oneLine(message);
        if (journal.isPresent()) {
            if (!journal.get().send("PRIORITY=" + priority + "\nSYSLOG_IDENTIFIER=bandaid\nOBJECT_PID=" + pid
                    + "\nMESSAGE=bandaid: " + text + "\n")) {
                lost.incrementAndGet();
            }
            return;
        }
        byte[] bytes = ("bandaid: " + level + text + "\n").getBytes(StandardCharsets.UTF_8);
        if (fd != NOWHERE && Fds.writeWithoutWaiting(fd, nonBlocking, bytes) < bytes.length) {
            lost.incrementAndGet();
        }
    }

    /** Lines the service's stderr did not take (its reader was behind or gone). */
    long lost() {
        return lost.get();
    }

    /** Closes the broker's copies of the service's stderr. */
    void close() {
        if (fd != NOWHERE) {
            Fds.close(fd, "the service's stderr");
        }
        nonBlocking.ifPresent(copy -> Fds.close(copy, "the service's stderr, reopened"));
    }
}
