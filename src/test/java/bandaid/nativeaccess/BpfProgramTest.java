package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bandaid.socket.Family;
import bandaid.socket.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What bandaid's filter answers for each ABI of the x86-64 kernel (x86-64, x32, i386), run here
 * on a struct seccomp_data of the test's own by a classic-BPF interpreter that knows the
 * instructions the filter is made of (seccomp runs classic BPF as networking.txt describes it;
 * the kernel offers no way to run a seccomp filter on made-up data, and this machine's kernel
 * cannot run i386 code at all). The x86-64 and x32 paths run for real in the end-to-end tests.
 */
class BpfProgramTest {
    private static final int NOTIFY = Abi.SECCOMP_RET_USER_NOTIF;
    private static final int ALLOW = Abi.SECCOMP_RET_ALLOW;
    private static final int I386 = Abi.AUDIT_ARCH_I386;
    private static final int X86_64 = Abi.AUDIT_ARCH_X86_64;
    private static final int AARCH64 = 0xC00000B7;
    private static final TrapPlan BIND = TrapPlan.bindOnly(true);
    private static final TrapPlan STRICT = new TrapPlan(Map.of(), true, false, false, TrapPlan.Connects.none(), true);
    private static final TrapPlan UNLINK = new TrapPlan(Map.of(), true, true, false, TrapPlan.Connects.none(), false);
    private static final TrapPlan SOCKETS = new TrapPlan(Map.of(Family.INET, Set.of(SocketType.STREAM)), false, false, false,
            TrapPlan.Connects.none(), false);
    /** What a service with a passed unix socket gets: listen() and connect() of a unix address's lengths too. */
    private static final TrapPlan PROBES = new TrapPlan(Map.of(), true, false, true, TrapPlan.Connects.ofLengths(Set.of(110, 20)), false);

    @Test
    void bindIsTrappedInEveryAbiAndNothingElseIs() {
        assertEquals(NOTIFY, run(BIND, X86_64, Abi.__NR_bind));
        assertEquals(NOTIFY, run(BIND, X86_64, BpfProgram.X32_SYSCALL_BIT | Abi.__NR_bind), "x32");
        assertEquals(NOTIFY, run(BIND, I386, bandaid.nativeaccess.I386.NR_BIND));
        assertEquals(NOTIFY, run(BIND, I386, bandaid.nativeaccess.I386.NR_SOCKETCALL, Abi.SYS_BIND), "socketcall(SYS_BIND)");
        assertEquals(ALLOW, run(BIND, I386, bandaid.nativeaccess.I386.NR_SOCKETCALL, 3), "socketcall(SYS_CONNECT)");
        assertEquals(ALLOW, run(BIND, I386, bandaid.nativeaccess.I386.NR_SOCKETCALL, Abi.SYS_SOCKET), "socket() not trapped here");
        assertEquals(ALLOW, run(BIND, X86_64, Abi.__NR_connect));
        assertEquals(ALLOW, run(BIND, X86_64, Abi.__NR_bind - 1));
        assertEquals(ALLOW, run(BIND, I386, Abi.__NR_bind), "i386's 49 is not bind");
        assertEquals(ALLOW, run(BIND, I386, 4), "write");
        assertEquals(ALLOW, run(BIND, AARCH64, 200), "an architecture this kernel does not run");
        assertEquals(ALLOW, run(BIND, X86_64, Abi.__NR_io_uring_setup), "io_uring only under --strict");
        assertEquals(ALLOW, run(BIND, X86_64, Abi.__NR_unlink));
    }

    @Test
    void strictTrapsIoUringSetupInEveryAbi() {
        assertEquals(NOTIFY, run(STRICT, X86_64, Abi.__NR_io_uring_setup));
        assertEquals(NOTIFY, run(STRICT, X86_64, BpfProgram.X32_SYSCALL_BIT | Abi.__NR_io_uring_setup));
        assertEquals(NOTIFY, run(STRICT, I386, bandaid.nativeaccess.I386.NR_IO_URING_SETUP));
        assertEquals(NOTIFY, run(STRICT, I386, bandaid.nativeaccess.I386.NR_BIND));
    }

    @Test
    void unlinkIsTrappedInEveryAbi() {
        assertEquals(NOTIFY, run(UNLINK, X86_64, Abi.__NR_unlink));
        assertEquals(NOTIFY, run(UNLINK, X86_64, Abi.__NR_unlinkat));
        assertEquals(NOTIFY, run(UNLINK, I386, bandaid.nativeaccess.I386.NR_UNLINK));
        assertEquals(NOTIFY, run(UNLINK, I386, bandaid.nativeaccess.I386.NR_UNLINKAT));
    }

    @Test
    void socketIsTrappedForThePlansFamiliesAndTypesOnly() {
        int cloexecStream = SocketType.STREAM.number() | Abi.SOCK_CLOEXEC;
        assertEquals(NOTIFY, run(SOCKETS, X86_64, Abi.__NR_socket, Family.INET.number(), cloexecStream));
        assertEquals(ALLOW, run(SOCKETS, X86_64, Abi.__NR_socket, Family.INET.number(), SocketType.DGRAM.number()));
        assertEquals(ALLOW, run(SOCKETS, X86_64, Abi.__NR_socket, Family.UNIX.number(), SocketType.STREAM.number()));
        assertEquals(NOTIFY, run(SOCKETS, I386, bandaid.nativeaccess.I386.NR_SOCKET, Family.INET.number(), cloexecStream));
        assertEquals(ALLOW, run(SOCKETS, I386, bandaid.nativeaccess.I386.NR_SOCKET, Family.INET6.number(), SocketType.STREAM.number()));
        // socketcall's arguments are in memory: every socketcall(SYS_SOCKET) is trapped.
        assertEquals(NOTIFY, run(SOCKETS, I386, bandaid.nativeaccess.I386.NR_SOCKETCALL, Abi.SYS_SOCKET));
        assertEquals(ALLOW, run(SOCKETS, I386, bandaid.nativeaccess.I386.NR_SOCKETCALL, Abi.SYS_BIND), "bind not in this plan");
        assertEquals(ALLOW, run(SOCKETS, X86_64, Abi.__NR_bind));
    }

    @Test
    void listenAndConnectAreTrappedInEveryAbiAndConnectOnlyForItsLengths() {
        assertEquals(NOTIFY, run(PROBES, X86_64, Abi.__NR_listen));
        assertEquals(NOTIFY, run(PROBES, I386, bandaid.nativeaccess.I386.NR_LISTEN));
        assertEquals(NOTIFY, run(PROBES, I386, bandaid.nativeaccess.I386.NR_SOCKETCALL, Abi.SYS_LISTEN));
        assertEquals(NOTIFY, run(PROBES, X86_64, Abi.__NR_connect, 5, 0, 110));
        assertEquals(ALLOW, run(PROBES, X86_64, Abi.__NR_connect, 5, 0, 16), "a TCP connect()");
        assertEquals(NOTIFY, run(PROBES, X86_64, BpfProgram.X32_SYSCALL_BIT | Abi.__NR_connect, 5, 0, 20));
        assertEquals(NOTIFY, run(PROBES, I386, bandaid.nativeaccess.I386.NR_CONNECT, 5, 0, 110));
        assertEquals(ALLOW, run(PROBES, I386, bandaid.nativeaccess.I386.NR_CONNECT, 5, 0, 16));
        // socketcall's arguments are in memory: its length is out of BPF's reach.
        assertEquals(NOTIFY, run(PROBES, I386, bandaid.nativeaccess.I386.NR_SOCKETCALL, Abi.SYS_CONNECT));
        assertEquals(NOTIFY, run(PROBES, X86_64, Abi.__NR_bind), "the number is loaded again after connect's length");
        assertEquals(NOTIFY, run(PROBES, I386, bandaid.nativeaccess.I386.NR_BIND));
        assertEquals(ALLOW, run(BIND, I386, bandaid.nativeaccess.I386.NR_LISTEN), "listen() not in that plan");
    }

    /** The filter's action for a call of {@code nr} on {@code arch} with these arguments. */
    private static int run(TrapPlan plan, int arch, int nr, long... args) {
        ByteBuffer data = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        data.putInt(BpfProgram.NR_OFFSET, nr).putInt(BpfProgram.ARCH_OFFSET, arch);
        for (int i = 0; i < args.length; i++) {
            data.putLong(BpfProgram.ARGS_OFFSET + 8 * i, args[i]);
        }
        BpfProgram program = BpfProgram.of(plan);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment code = program.link(arena);
            int a = 0;
            for (int pc = 0, steps = 0; steps < 1000; steps++) {
                long at = (long) BpfProgram.SOCK_FILTER_SIZE * pc;
                int op = code.get(ValueLayout.JAVA_SHORT, at) & 0xffff;
                int jt = code.get(ValueLayout.JAVA_BYTE, at + 2) & 0xff;
                int jf = code.get(ValueLayout.JAVA_BYTE, at + 3) & 0xff;
                int k = code.get(ValueLayout.JAVA_INT, at + 4);
                if (op == (Abi.BPF_LD | Abi.BPF_W | Abi.BPF_ABS)) {
                    a = data.getInt(k);
                    pc++;
                } else if (op == (Abi.BPF_ALU | Abi.BPF_AND | Abi.BPF_K)) {
                    a &= k;
                    pc++;
                } else if (op == (Abi.BPF_JMP | Abi.BPF_JEQ | Abi.BPF_K)) {
                    pc += 1 + (a == k ? jt : jf);
                } else if (op == (Abi.BPF_JMP | Abi.BPF_JGE | Abi.BPF_K)) {
                    pc += 1 + (Integer.compareUnsigned(a, k) >= 0 ? jt : jf);
                } else if (op == (Abi.BPF_RET | Abi.BPF_K)) {
                    return k;
                } else {
                    throw new AssertionError("instruction " + pc + ": opcode " + Integer.toHexString(op) + " unknown to this interpreter");
                }
                if (pc >= program.length()) {
                    throw new AssertionError("ran off the end of the program");
                }
            }
            throw new AssertionError("no return within 1000 steps");
        }
    }
}
