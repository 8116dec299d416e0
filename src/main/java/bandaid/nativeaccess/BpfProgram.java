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
 * The classic-BPF seccomp filter for a {@link TrapPlan}: checks the architecture, then returns
 * SECCOMP_RET_USER_NOTIF for the trapped calls and SECCOMP_RET_ALLOW for everything else, so the
 * program's other system calls never leave the kernel (seccomp_filter.rst).
 */
final class BpfProgram {
    /** x32 system calls share AUDIT_ARCH_X86_64 and set this bit in nr (asm/unistd.h). */
    private static final int X32_SYSCALL_BIT = 0x40000000;
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
        p.jumpIfEqual(Abi.AUDIT_ARCH_X86_64, null, "allow");
        p.load(NR_OFFSET);
        p.jump(Abi.BPF_JMP | Abi.BPF_JGE | Abi.BPF_K, X32_SYSCALL_BIT, "allow", null);
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
        if (plan.connect().trapped() && plan.connect().lengths().isEmpty()) {
            p.jumpIfEqual(Abi.__NR_connect, "notify", null);
        } else if (plan.connect().trapped()) {
            // connect(fd, addr, addrlen): the length is all BPF can see of the address
            p.jumpIfEqual(Abi.__NR_connect, null, "connect-done");
            p.load(argumentOffset(2));
            for (int length : plan.connect().lengths().stream().sorted().toList()) {
                p.jumpIfEqual(length, "notify", null);
            }
            p.returnAction(Abi.SECCOMP_RET_ALLOW, null);
            p.label("connect-done");
            p.load(NR_OFFSET);
        }
        if (!plan.socketCalls().isEmpty()) {
            p.jumpIfEqual(Abi.__NR_socket, null, "allow");
            p.load(argumentOffset(0));
            int family = 0;
            for (Map.Entry<Family, Set<SocketType>> entry : plan.socketCalls().entrySet()) {
                String next = "family" + (++family);
                p.jumpIfEqual(entry.getKey().number(), null, next);
                p.load(argumentOffset(1));
                p.statement(Abi.BPF_ALU | Abi.BPF_AND | Abi.BPF_K, SocketType.TYPE_MASK);
                for (SocketType type : entry.getValue()) {
                    p.jumpIfEqual(type.number(), "notify", null);
                }
                p.returnAction(Abi.SECCOMP_RET_ALLOW, null);
                p.label(next);
            }
        }
        p.returnAction(Abi.SECCOMP_RET_ALLOW, "allow");
        p.returnAction(Abi.SECCOMP_RET_USER_NOTIF, "notify");
        return p;
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
