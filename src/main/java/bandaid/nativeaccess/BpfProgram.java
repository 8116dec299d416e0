package bandaid.nativeaccess;

import bandaid.socket.Family;
import bandaid.socket.SocketType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classic-BPF seccomp filter for a {@link TrapPlan}: for each ABI of the x86-64 kernel
 * (x86-64 and x32, told by AUDIT_ARCH_X86_64; i386 by AUDIT_ARCH_I386), returns
 * SECCOMP_RET_USER_NOTIF for the trapped calls and SECCOMP_RET_ALLOW for everything else, so the
 * program's other system calls never leave the kernel (seccomp_filter.rst). A 32-bit program, or
 * a 64-bit one making i386 calls, is trapped and served as a 64-bit one is.
 */
final class BpfProgram {
    /** x32 system calls share AUDIT_ARCH_X86_64 and set this bit in nr (asm/unistd.h). */
    static final int X32_SYSCALL_BIT = 0x40000000;
    /** struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6] (AbiNumbersTest). */
    static final int NR_OFFSET = 0;
    static final int ARCH_OFFSET = 4;
    static final int ARGS_OFFSET = 16;
    /** struct sock_filter: __u16 code; __u8 jt; __u8 jf; __u32 k. */
    static final int SOCK_FILTER_SIZE = 8;

    /** One instruction, with its jump targets still symbolic until {@link #link}. */
    private record Insn(int code, int k, String jumpIfTrue, String jumpIfFalse, List<String> labels) {
    }

    private final List<Insn> code = new ArrayList<>();

    private BpfProgram() {
    }

    static BpfProgram of(TrapPlan plan) {
        BpfProgram p = new BpfProgram();
        p.load(ARCH_OFFSET);
        p.jumpIfEqual(Abi.AUDIT_ARCH_X86_64, null, "i386");
        p.loadX86Number();
        if (plan.bind()) {
            p.jumpIfEqual(Abi.__NR_bind, "notify", null);
        }
        if (plan.unlink()) {
            p.jumpIfEqual(Abi.__NR_unlink, "notify", null);
            p.jumpIfEqual(Abi.__NR_unlinkat, "notify", null);
        }
        if (plan.listen()) {
            p.jumpIfEqual(Abi.__NR_listen, "notify", null);
        }
        if (plan.ioUring()) {
            p.jumpIfEqual(Abi.__NR_io_uring_setup, "notify", null);
        }
        if (plan.connect().trapped()) {
            p.connects(plan, Abi.__NR_connect, "x86-64");
            p.loadX86Number();
        }
        if (!plan.socketCalls().isEmpty()) {
            p.jumpIfEqual(Abi.__NR_socket, null, "allow");
            p.socketFamilies(plan, "x86-64");
        }
        p.returnAction(Abi.SECCOMP_RET_ALLOW, null);

        // i386, from a 32-bit program or a 64-bit one's int 0x80: its own numbers (I386), its
        // arguments in the low halves of the same fields.
        p.label("i386");
        p.jumpIfEqual(Abi.AUDIT_ARCH_I386, null, "allow");
        p.load(NR_OFFSET);
        boolean socketcall = plan.bind() || plan.listen() || plan.connect().trapped() || !plan.socketCalls().isEmpty();
        if (socketcall) {
            p.jumpIfEqual(I386.NR_SOCKETCALL, "socketcall", null);
        }
        if (plan.bind()) {
            p.jumpIfEqual(I386.NR_BIND, "notify", null);
        }
        if (plan.unlink()) {
            p.jumpIfEqual(I386.NR_UNLINK, "notify", null);
            p.jumpIfEqual(I386.NR_UNLINKAT, "notify", null);
        }
        if (plan.listen()) {
            p.jumpIfEqual(I386.NR_LISTEN, "notify", null);
        }
        if (plan.ioUring()) {
            p.jumpIfEqual(I386.NR_IO_URING_SETUP, "notify", null);
        }
        if (plan.connect().trapped()) {
            p.connects(plan, I386.NR_CONNECT, "i386");
            p.load(NR_OFFSET);
        }
        if (!plan.socketCalls().isEmpty()) {
            p.jumpIfEqual(I386.NR_SOCKET, null, "allow");
            p.socketFamilies(plan, "i386");
        }
        if (socketcall) {
            // socketcall(call, args): the operation is in a register, its arguments are in the
            // caller's memory, out of BPF's reach: every socketcall of a trapped operation is
            // trapped (a connect() whatever its address's length, a socket() whatever its family).
            p.returnAction(Abi.SECCOMP_RET_ALLOW, null);
            p.label("socketcall");
            p.load(argumentOffset(0));
            if (plan.bind()) {
                p.jumpIfEqual(Abi.SYS_BIND, "notify", null);
            }
            if (plan.listen()) {
                p.jumpIfEqual(Abi.SYS_LISTEN, "notify", null);
            }
            if (plan.connect().trapped()) {
                p.jumpIfEqual(Abi.SYS_CONNECT, "notify", null);
            }
            if (!plan.socketCalls().isEmpty()) {
                p.jumpIfEqual(Abi.SYS_SOCKET, "notify", null);
            }
        }
        p.returnAction(Abi.SECCOMP_RET_ALLOW, "allow");
        p.returnAction(Abi.SECCOMP_RET_USER_NOTIF, "notify");
        return p;
    }

    /**
     * The x86-64 call number. x32 calls share AUDIT_ARCH_X86_64 and x86-64's numbers with
     * X32_SYSCALL_BIT set: with the bit cleared they are trapped as the 64-bit calls they are
     * otherwise (an x32 program passes its pointers zero-extended in the same registers). Where
     * the kernel has no x32 (Debian boots it disabled), the only caller is a 64-bit program
     * setting the bit on purpose; its call is answered as a 64-bit one would be.
     */
    private void loadX86Number() {
        load(NR_OFFSET);
        statement(Abi.BPF_ALU | Abi.BPF_AND | Abi.BPF_K, ~X32_SYSCALL_BIT);
    }

    /**
     * connect(fd, addr, addrlen) numbered {@code nr}: the length is all BPF can see of the
     * address. Jumps to "notify", or on past the call (the number must be loaded again).
     */
    private void connects(TrapPlan plan, int nr, String abi) {
        if (plan.connect().lengths().isEmpty()) {
            jumpIfEqual(nr, "notify", null);
            return;
        }
        String done = abi + "-connect-done";
        jumpIfEqual(nr, null, done);
        load(argumentOffset(2));
        for (int length : plan.connect().lengths().stream().sorted().toList()) {
            jumpIfEqual(length, "notify", null);
        }
        returnAction(Abi.SECCOMP_RET_ALLOW, null);
        label(done);
    }

    /**
     * socket(family, type, ...) traps only the families and types of the plan: the arguments
     * are compared, and anything else is allowed. Jumps to "notify", or returns ALLOW.
     */
    private void socketFamilies(TrapPlan plan, String abi) {
        load(argumentOffset(0));
        int family = 0;
        for (Map.Entry<Family, Set<SocketType>> entry : plan.socketCalls().entrySet()) {
            String next = abi + "-family" + (++family);
            jumpIfEqual(entry.getKey().number(), null, next);
            load(argumentOffset(1));
            statement(Abi.BPF_ALU | Abi.BPF_AND | Abi.BPF_K, SocketType.TYPE_MASK);
            for (SocketType type : entry.getValue()) {
                jumpIfEqual(type.number(), "notify", null);
            }
            returnAction(Abi.SECCOMP_RET_ALLOW, null);
            label(next);
        }
    }

    /** The low 32 bits of argument {@code index}: socket()'s int arguments, connect()'s length (little-endian only). */
    private static int argumentOffset(int index) {
        return ARGS_OFFSET + 8 * index;
    }

    private void load(int offset) {
        statement(Abi.BPF_LD | Abi.BPF_W | Abi.BPF_ABS, offset);
    }

    private void statement(int opcode, int k) {
        code.add(new Insn(opcode, k, null, null, pendingLabel()));
    }

    private void jumpIfEqual(int k, String ifTrue, String ifFalse) {
        jump(Abi.BPF_JMP | Abi.BPF_JEQ | Abi.BPF_K, k, ifTrue, ifFalse);
    }

    private void jump(int opcode, int k, String ifTrue, String ifFalse) {
        code.add(new Insn(opcode, k, ifTrue, ifFalse, pendingLabel()));
    }

    private void returnAction(int action, String label) {
        if (label != null) {
            label(label);
        }
        statement(Abi.BPF_RET | Abi.BPF_K, action);
    }

    /** Labels waiting for the next instruction (several may name the same one). */
    private final List<String> pending = new ArrayList<>();

    private void label(String name) {
        pending.add(name);
    }

    private List<String> pendingLabel() {
        List<String> labels = List.copyOf(pending);
        pending.clear();
        return labels;
    }

    private int indexOf(String label) {
        for (int i = 0; i < code.size(); i++) {
            if (code.get(i).labels().contains(label)) {
                return i;
            }
        }
        throw new IllegalStateException("no BPF label " + label);
    }

    int length() {
        return code.size();
    }

    /** The program as the kernel's struct sock_filter array, jumps resolved to relative offsets. */
    MemorySegment link(Arena arena) {
        MemorySegment filters = arena.allocate((long) SOCK_FILTER_SIZE * code.size(), 8);
        for (int i = 0; i < code.size(); i++) {
            Insn insn = code.get(i);
            long at = (long) SOCK_FILTER_SIZE * i;
            filters.set(ValueLayout.JAVA_SHORT, at, (short) insn.code());
            filters.set(ValueLayout.JAVA_BYTE, at + 2, relative(i, insn.jumpIfTrue()));
            filters.set(ValueLayout.JAVA_BYTE, at + 3, relative(i, insn.jumpIfFalse()));
            filters.set(ValueLayout.JAVA_INT, at + 4, insn.k());
        }
        return filters;
    }

    private byte relative(int from, String target) {
        if (target == null) {
            return 0;
        }
        int distance = indexOf(target) - from - 1;
        if (distance < 0 || distance > 255) {
            throw new IllegalStateException("BPF jump of " + distance + " to " + target);
        }
        return (byte) distance;
    }
}
