import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * FloorProgram PROGRAM ARGS...: the least a pure-Java FFM supervisor has to do to hand a passed
 * socket to a program, the floor that scripts/bench measures bandaid's start-up against (issue
 * 17). Benchmark only, never part of bandaid.
 *
 * On a platform thread of its own it sets no_new_privs, installs a seccomp filter that traps
 * bind() (SECCOMP_FILTER_FLAG_NEW_LISTENER), starts PROGRAM from that thread with ProcessBuilder
 * (the child inherits the thread's filter), answers the first trapped bind() with the socket
 * passed on fd 3 (LISTEN_FDS, sd_listen_fds(3)): SECCOMP_IOCTL_NOTIF_ADDFD with SETFD | SEND,
 * which puts it in place of the bind's fd and answers the call in one step; and answers every
 * other trapped call as src/bench/trap-yardstick.c does (one process_vm_readv of the address,
 * then CONTINUE; synchronous wake-ups asked for), so that it is also the floor of a Java
 * supervisor's cost per trapped call, cold and warm (scripts/bench part 2). Exits with the
 * program's status. One native function, syscall(2), of one shape: every pointer goes as an
 * address.
 *
 * Run it with bandaid's JVM options (scripts/lib/launch.sh) and --enable-native-access=ALL-UNNAMED.
 */
public final class FloorProgram {
    // x86_64 system call numbers and seccomp's constants (linux/seccomp.h, linux/audit.h).
    private static final long SYS_IOCTL = 16, SYS_BIND = 49, SYS_PRCTL = 157, SYS_PROCESS_VM_READV = 310, SYS_SECCOMP = 317;
    private static final long PR_SET_NO_NEW_PRIVS = 38, SECCOMP_SET_MODE_FILTER = 1, SECCOMP_FILTER_FLAG_NEW_LISTENER = 8;
    private static final int AUDIT_ARCH_X86_64 = 0xc000003e, RET_ALLOW = 0x7fff0000, RET_USER_NOTIF = 0x7fc00000;
    private static final long NOTIF_RECV = 0xc0502100L, NOTIF_SEND = 0xc0182101L, NOTIF_ADDFD = 0x40182103L;
    private static final long NOTIF_SET_FLAGS = 0x40082104L, USER_NOTIF_FD_SYNC_WAKE_UP = 1;
    private static final int ADDFD_FLAG_SETFD = 1, ADDFD_FLAG_SEND = 2, USER_NOTIF_FLAG_CONTINUE = 1;
    private static final int PASSED_FD = 3;

    /** long syscall(long number, ...): the only downcall. */
    private static final MethodHandle SYSCALL = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("syscall").orElseThrow(),
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG),
            Linker.Option.firstVariadicArg(1));

    private static long syscall(long nr, long a, long b, long c) {
        return syscall(nr, a, b, c, 0, 0, 0);
    }

    private static long syscall(long nr, long a, long b, long c, long d, long e, long f) {
        try {
            return (long) SYSCALL.invokeExact(nr, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void main(String[] args) throws Exception {
        int[] status = new int[1];
        Thread supervisor = Thread.ofPlatform().name("supervisor").daemon().start(() -> status[0] = supervise(args));
        supervisor.join();
        System.exit(status[0]);
    }

    /** On this thread only: the filter, the program, the answers. Returns the program's status. */
    private static int supervise(String[] command) {
        Arena arena = Arena.global();
        // struct sock_filter { u16 code; u8 jt, jf; u32 k; }: arch == x86_64, nr == bind -> notify.
        long[][] code = {
                {0x20, 0, 0, 4}, // ld [4] (arch)
                {0x15, 1, 0, AUDIT_ARCH_X86_64}, // jeq
                {0x06, 0, 0, RET_ALLOW},
                {0x20, 0, 0, 0}, // ld [0] (nr)
                {0x15, 0, 1, SYS_BIND},
                {0x06, 0, 0, RET_USER_NOTIF},
                {0x06, 0, 0, RET_ALLOW},
        };
        MemorySegment filter = arena.allocate(8L * code.length, 8);
        for (int i = 0; i < code.length; i++) {
            filter.set(ValueLayout.JAVA_SHORT, 8L * i, (short) code[i][0]);
            filter.set(ValueLayout.JAVA_BYTE, 8L * i + 2, (byte) code[i][1]);
            filter.set(ValueLayout.JAVA_BYTE, 8L * i + 3, (byte) code[i][2]);
            filter.set(JAVA_INT, 8L * i + 4, (int) code[i][3]);
        }
        MemorySegment fprog = arena.allocate(16, 8); // struct sock_fprog { u16 len; sock_filter *filter; }
        fprog.set(ValueLayout.JAVA_SHORT, 0, (short) code.length);
        fprog.set(JAVA_LONG, 8, filter.address());
        if (syscall(SYS_PRCTL, PR_SET_NO_NEW_PRIVS, 1, 0) != 0) {
            throw new IllegalStateException("prctl(PR_SET_NO_NEW_PRIVS) failed");
        }
        long listener = syscall(SYS_SECCOMP, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, fprog.address());
        if (listener < 0) {
            throw new IllegalStateException("seccomp(NEW_LISTENER) failed");
        }
        // The flags are the argument itself (kernel/seccomp.c, seccomp_notify_set_flags); only
        // speed, EINVAL before Linux 6.6.
        syscall(SYS_IOCTL, listener, NOTIF_SET_FLAGS, USER_NOTIF_FD_SYNC_WAKE_UP);

        ProcessBuilder builder = new ProcessBuilder(List.of(command)).inheritIO();
        builder.environment().keySet().removeIf(k -> k.startsWith("LISTEN_"));
        Process program;
        try {
            program = builder.start();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        // The program's end ends this process; the loop below never returns.
        Thread.ofPlatform().daemon().start(() -> {
            try {
                System.exit(program.waitFor());
            } catch (InterruptedException e) {
                System.exit(1);
            }
        });

        // struct seccomp_notif (80 bytes): id u64 @0, pid u32 @8, flags u32 @12, data @16 (nr, arch,
        // ip, args[6] @32). struct seccomp_notif_addfd / _resp: 24 bytes each, id @0. Two struct
        // iovec (base, len) for process_vm_readv(2): ours, then the caller's.
        MemorySegment notif = arena.allocate(80, 8), addfd = arena.allocate(24, 8), resp = arena.allocate(24, 8);
        MemorySegment address = arena.allocate(128, 8), iovecs = arena.allocate(32, 8);
        iovecs.set(JAVA_LONG, 0, address.address());
        boolean passed = System.getenv("LISTEN_FDS") == null;
        for (;;) {
            notif.fill((byte) 0);
            if (syscall(SYS_IOCTL, listener, NOTIF_RECV, notif.address()) != 0) {
                continue; // EINTR, or ENOENT: the caller went away
            }
            long id = notif.get(JAVA_LONG, 0);
            if (!passed) {
                passed = true;
                addfd.set(JAVA_LONG, 0, id);
                addfd.set(JAVA_INT, 8, ADDFD_FLAG_SETFD | ADDFD_FLAG_SEND);
                addfd.set(JAVA_INT, 12, PASSED_FD); // srcfd
                addfd.set(JAVA_INT, 16, (int) notif.get(JAVA_LONG, 32)); // newfd: the bind's fd
                addfd.set(JAVA_INT, 20, 0); // newfd_flags
                if (syscall(SYS_IOCTL, listener, NOTIF_ADDFD, addfd.address()) >= 0) {
                    // bind() returns the fd number, not 0: enough for programs that check < 0 (C,
                    // python); bandaid answers 0 with a NOTIF_SEND of its own, a few µs more.
                    continue;
                }
            }
            long length = Math.min(notif.get(JAVA_LONG, 48), address.byteSize()); // args[2], args[1] @40
            iovecs.set(JAVA_LONG, 8, length);
            iovecs.set(JAVA_LONG, 16, notif.get(JAVA_LONG, 40));
            iovecs.set(JAVA_LONG, 24, length);
            syscall(SYS_PROCESS_VM_READV, notif.get(JAVA_INT, 8), iovecs.address(), 1, iovecs.address() + 16, 1, 0);
            resp.set(JAVA_LONG, 0, id);
            resp.set(JAVA_LONG, 8, 0);
            resp.set(JAVA_INT, 16, 0);
            resp.set(JAVA_INT, 20, USER_NOTIF_FLAG_CONTINUE);
            syscall(SYS_IOCTL, listener, NOTIF_SEND, resp.address());
        }
    }
}
