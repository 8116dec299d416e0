package bandaid.broker;

import bandaid.nativeaccess.SharedMemory;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * What a broker must know of one service to take it over after a restart, in a memfd kept in the
 * fd store beside the service's fds: the handoff as it came, who handed it over, which passed
 * sockets were handed out (and the O_NONBLOCK mode the first handout set), and the one call its
 * reader received and may not have answered (the reader receives straight into it).
 */
final class Ledger implements AutoCloseable {
    private static final byte[] MAGIC = "bandaid-ledger 1".getBytes(StandardCharsets.US_ASCII);
    static final long SIZE = 32 * 1024;
    private static final long PID = 16;
    /** The uid beside the pid, the handoff's length beside the gid: a long each. */
    private static final long GID = 24;
    /** The reader's notification buffer: room for a struct seccomp_notif far larger than today's 80 bytes. */
    private static final long SLOT = 64;
    private static final long SLOT_SIZE = 512;
    /** A byte per passed socket: 0 not handed out yet, 1 first handed out blocking, 2 non-blocking. */
    private static final long HANDOUTS = SLOT + SLOT_SIZE;
    private static final int MOST_SOCKETS = 256;
    /** The service's cgroup (its length first), where its processes are. */
    private static final long CGROUP = 1024;
    private static final int CGROUP_SIZE = 1024;
    private static final long HANDOFF = CGROUP + CGROUP_SIZE;

    private final SharedMemory memory;

    private Ledger(SharedMemory memory) {
        this.memory = memory;
    }

    /** A new ledger for a handoff just taken. */
    static Ledger create(long id, int pid, int uid, int gid, Optional<String> cgroup, byte[] handoff) {
        if (HANDOFF + handoff.length > SIZE) {
            throw new IllegalArgumentException("a handoff of " + handoff.length + " bytes does not fit the ledger");
        }
        byte[] path = cgroup.orElse("").getBytes(StandardCharsets.UTF_8);
        SharedMemory memory = SharedMemory.create("bandaid-service-" + id, SIZE);
        memory.write(0, MAGIC);
        if (path.length + 8 <= CGROUP_SIZE) {
            memory.putLong(CGROUP, path.length);
            memory.write(CGROUP + 8, path);
        }
        memory.putLong(PID, ((long) uid << 32) | (pid & 0xffffffffL));
        memory.putLong(GID, ((long) handoff.length << 32) | (gid & 0xffffffffL));
        memory.write(HANDOFF, handoff);
        return new Ledger(memory);
    }

    /**
     * The ledger kept in {@code fd} (it owns the fd from now on).
     *
     * @return empty when {@code fd} holds no ledger of this format (it is closed then)
     */
    static Optional<Ledger> of(int fd) {
        SharedMemory memory;
        try {
            memory = SharedMemory.of(fd, SIZE);
        } catch (RuntimeException e) {
            bandaid.nativeaccess.Fds.close(fd, "not a ledger");
            return Optional.empty();
        }
        if (!Arrays.equals(memory.read(0, MAGIC.length), MAGIC)) {
            memory.close();
            return Optional.empty();
        }
        return Optional.of(new Ledger(memory));
    }

    int pid() {
        return (int) memory.getLong(PID);
    }

    int uid() {
        return (int) (memory.getLong(PID) >>> 32);
    }

    int gid() {
        return (int) memory.getLong(GID);
    }

    /** The service's cgroup, as it was when the handoff came; empty where it had none. */
    Optional<String> cgroup() {
        int length = (int) Math.min(memory.getLong(CGROUP), CGROUP_SIZE - 8);
        return length <= 0 ? Optional.empty() : Optional.of(new String(memory.read(CGROUP + 8, length), StandardCharsets.UTF_8));
    }

    byte[] handoff() {
        int length = (int) (memory.getLong(GID) >>> 32);
        return memory.read(HANDOFF, Math.min(length, (int) (SIZE - HANDOFF)));
    }

    /** Where the reader receives each call. */
    SharedMemory.Slot slot() {
        return memory.slot(SLOT, SLOT_SIZE);
    }

    /** The mode passed socket {@code index} was first handed out with, or empty when it was not yet. */
    Optional<Boolean> handedOut(int index) {
        byte mode = index < MOST_SOCKETS ? memory.getByte(HANDOUTS + index) : 0;
        return mode == 0 ? Optional.empty() : Optional.of(mode == 2);
    }

    void handedOut(int index, boolean nonBlocking) {
        if (index < MOST_SOCKETS) {
            memory.putByte(HANDOUTS + index, (byte) (nonBlocking ? 2 : 1));
        }
    }

    int fd() {
        return memory.fd();
    }

    @Override
    public void close() {
        memory.close();
    }
}
