package bandaid.nativeaccess;

import bandaid.socket.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * Whether a process is one of bandaid's descendants (bandaid is their subreaper), told at the
 * moment it is asked and without a pid reuse race: the chain of parents is read from
 * /proc/PID/stat (proc(5), PPid) up to bandaid, then again from the top down. A parent changes only
 * when it exits, and then to an older ancestor, never to a later process that took its number: so
 * a chain that reads the same twice was alive throughout. The sender itself is pinned by a pidfd
 * (pidfd_open(2); pidfd_send_signal with signal 0 fails with ESRCH once it is reaped): alive after
 * the second pass, it was the one whose parents were read (ARCHITECTURE.md, "Whose message").
 */
final class ProcessTree {
    /** Deeper than any real process tree; a chain longer than this is not taken as proven. */
    private static final int MOST_GENERATIONS = 256;
    /** The tree may change while it is read (a parent exits and its children move up): read again. */
    private static final int ATTEMPTS = 4;

    private ProcessTree() {
    }

    /**
     * Who {@code pid} is to bandaid.
     *
     * @param pidfd a pidfd of that process, or -1 when bandaid has none (pidfds refused by a
     *              sandbox): then a pid reused in between by one of the program's processes
     *              cannot be told from it
     */
    static NotifySocket.Sender of(int pid, int pidfd) {
        int self = Processes.ownPid();
        if (pid <= 0 || pid == self) {
            // 0: a sender outside bandaid's pid namespace (SCM_CREDENTIALS says 0 for those).
            return NotifySocket.Sender.STRANGER;
        }
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<Integer> chain = new ArrayList<>();
            int parent = 0;
            for (int p = pid; chain.size() < MOST_GENERATIONS; p = parent) {
                OptionalInt read = parentOf(p);
                if (read.isEmpty()) {
                    break;
                }
                chain.add(p);
                parent = read.getAsInt();
                if (parent == self || parent <= 1) {
                    break;
                }
            }
            if (chain.isEmpty()) {
                return exited(pid, pidfd) ? NotifySocket.Sender.GONE : NotifySocket.Sender.UNKNOWN;
            }
            if (!ends(parent, self) || !readsTheSameFromTheTop(chain, parent)) {
                if (exited(pid, pidfd)) {
                    return NotifySocket.Sender.GONE;
                }
                continue; // a link vanished or moved while it was read
            }
            if (exited(pid, pidfd)) {
                return NotifySocket.Sender.GONE;
            }
            return parent == self ? NotifySocket.Sender.DESCENDANT : NotifySocket.Sender.STRANGER;
        }
        return NotifySocket.Sender.UNKNOWN;
    }

    /** A chain read to its end: bandaid, or the top of the pid namespace (1, or 0 for a parent outside it). */
    private static boolean ends(int parent, int self) {
        return parent == self || parent <= 1;
    }

    /** The second reading, from the last link down to the sender: each must name the same parent. */
    private static boolean readsTheSameFromTheTop(List<Integer> chain, int top) {
        for (int i = chain.size() - 1; i >= 0; i--) {
            int expected = i + 1 < chain.size() ? chain.get(i + 1) : top;
            OptionalInt read = parentOf(chain.get(i));
            if (read.isEmpty() || read.getAsInt() != expected) {
                return false;
            }
        }
        return true;
    }

    /** Whether the process has exited and been reaped: its pid is free, maybe taken again. */
    private static boolean exited(int pid, int pidfd) {
        long r = pidfd >= 0 ? Libc.syscall(Abi.__NR_pidfd_send_signal, pidfd, 0, 0, 0, 0, 0) : Libc.syscall(Abi.__NR_kill, pid, 0, 0);
        // EPERM: it is there, of another user (the program may change its uid).
        return r == -Errno.ESRCH;
    }

    /**
     * The parent's pid from /proc/PID/stat, whose second field (the command name, in parentheses)
     * may hold spaces and parentheses itself: the fields after it start after the last ')'.
     *
     * @return empty when the process is gone, or hidden from bandaid (ProtectProc=invisible)
     */
    static OptionalInt parentOf(int pid) {
        String stat;
        try {
            stat = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "stat")), StandardCharsets.ISO_8859_1);
        } catch (IOException | RuntimeException gone) {
            return OptionalInt.empty();
        }
        int close = stat.lastIndexOf(')');
        String[] fields = close < 0 ? new String[0] : stat.substring(close + 1).strip().split(" ");
        if (fields.length < 2) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(fields[1]));
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
    }
}
