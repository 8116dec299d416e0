package bandaid.nativeaccess;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Starts the program with posix_spawnp(3) from the calling thread: glibc clones that very thread
 * (CLONE_VM | CLONE_VFORK), so the child inherits its seccomp filter and no_new_privs (seccomp(2)).
 * Arguments and environment go as the bytes bandaid was given (ProcessBuilder would encode them
 * with sun.jnu.encoding: é becomes ? under LANG=C). The child gets no blocked signal (a mask
 * survives exec, and the JVM blocks the forwarded ones) and no fd from 3 up
 * (posix_spawn_file_actions_addclosefrom_np, glibc 2.34): the JVM's own fds are not all CLOEXEC.
 */
public final class Spawner {
    /** sizeof(posix_spawnattr_t) is 336 and sizeof(posix_spawn_file_actions_t) 80 on x86-64 glibc: room to spare. */
    private static final int ATTR_BYTES = 512;
    private static final int ACTIONS_BYTES = 256;
    /** glibc's sigset_t: 1024 bits. */
    private static final int GLIBC_SIGSET_BYTES = 128;
    private static final int FIRST_FD_TO_CLOSE = 3;

    private static final class Functions {
        static final Libc.Function ATTR_INIT = new Libc.Function("posix_spawnattr_init");
        static final Libc.Function ATTR_SETFLAGS = new Libc.Function("posix_spawnattr_setflags");
        static final Libc.Function ATTR_SETSIGMASK = new Libc.Function("posix_spawnattr_setsigmask");
        static final Libc.Function ATTR_DESTROY = new Libc.Function("posix_spawnattr_destroy");
        static final Libc.Function ACTIONS_INIT = new Libc.Function("posix_spawn_file_actions_init");
        static final Libc.Function ACTIONS_CLOSEFROM = new Libc.Function("posix_spawn_file_actions_addclosefrom_np");
        static final Libc.Function ACTIONS_DESTROY = new Libc.Function("posix_spawn_file_actions_destroy");
        static final Libc.Function SPAWNP = new Libc.Function("posix_spawnp");
    }

    private Spawner() {
    }

    /**
     * Starts {@code argv[0]} (looked up on PATH when it has no slash) with {@code argv} and
     * {@code environment}, each a NUL-free byte string.
     *
     * @return the child's pid
     * @throws SyscallException the exec's errno (ENOENT: not found; EACCES, ENOEXEC: not
     *                          executable) or what else posix_spawnp reports
     */
    public static int spawn(List<byte[]> argv, List<byte[]> environment) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment attr = arena.allocate(ATTR_BYTES, 16);
            MemorySegment actions = arena.allocate(ACTIONS_BYTES, 16);
            MemorySegment emptySet = arena.allocate(GLIBC_SIGSET_BYTES, 8);
            MemorySegment pid = arena.allocate(ValueLayout.JAVA_INT);
            check("posix_spawnattr_init", Functions.ATTR_INIT.call(attr.address(), 0, 0, 0, 0, 0));
            check("posix_spawn_file_actions_init", Functions.ACTIONS_INIT.call(actions.address(), 0, 0, 0, 0, 0));
            try {
                check("posix_spawnattr_setsigmask", Functions.ATTR_SETSIGMASK.call(attr.address(), emptySet.address(), 0, 0, 0, 0));
                check("posix_spawnattr_setflags", Functions.ATTR_SETFLAGS.call(attr.address(), Abi.POSIX_SPAWN_SETSIGMASK, 0, 0, 0, 0));
                check("posix_spawn_file_actions_addclosefrom_np",
                        Functions.ACTIONS_CLOSEFROM.call(actions.address(), FIRST_FD_TO_CLOSE, 0, 0, 0, 0));
                MemorySegment args = strings(arena, argv);
                check("posix_spawnp", Functions.SPAWNP.call(pid.address(), args.get(ValueLayout.JAVA_LONG, 0),
                        actions.address(), attr.address(), args.address(), strings(arena, environment).address()));
                return pid.get(ValueLayout.JAVA_INT, 0);
            } finally {
                Functions.ACTIONS_DESTROY.call(actions.address(), 0, 0, 0, 0, 0);
                Functions.ATTR_DESTROY.call(attr.address(), 0, 0, 0, 0, 0);
            }
        }
    }

    /** posix_spawn(3) functions return the error number itself (an int) instead of setting errno. */
    private static void check(String what, long result) {
        int error = (int) result;
        if (error != 0) {
            throw new SyscallException(what, error);
        }
    }

    /** A NULL-terminated array of pointers to NUL-terminated copies of {@code strings}. */
    static MemorySegment strings(Arena arena, List<byte[]> strings) {
        MemorySegment array = arena.allocate(8L * (strings.size() + 1), 8);
        for (int i = 0; i < strings.size(); i++) {
            byte[] s = strings.get(i);
            MemorySegment copy = arena.allocate(s.length + 1L);
            copy.copyFrom(MemorySegment.ofArray(s));
            array.set(ValueLayout.JAVA_LONG, 8L * i, copy.address());
        }
        return array;
    }
}
