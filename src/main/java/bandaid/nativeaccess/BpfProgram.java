package bandaid.nativeaccess;

import bandaid.activation.Family;
import bandaid.activation.SocketType;
import bandaid.bindings.Linux;
import bandaid.bindings.seccomp_data;
import bandaid.bindings.sock_filter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
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
    private static final int ARCH_OFFSET = (int) seccomp_data.arch$offset();
    private static final int NR_OFFSET = (int) seccomp_data.nr$offset();

    /** One instruction, with its jump targets still symbolic until {@link #link}. */
    private record Insn(int code, int k, String jumpIfTrue, String jumpIfFalse, List<String> labels) {
    }

    private final List<Insn> code = new ArrayList<>();

    private BpfProgram() {
    }

    static BpfProgram of(TrapPlan plan) {
        BpfProgram p = new BpfProgram();
        p.load(ARCH_OFFSET);
        p.jumpIfEqual(Linux.AUDIT_ARCH_X86_64(), null, "allow");
        p.load(NR_OFFSET);
        p.jump(Linux.BPF_JMP() | Linux.BPF_JGE() | Linux.BPF_K(), X32_SYSCALL_BIT, "allow", null);
        if (plan.bind()) {
            p.jumpIfEqual(Linux.__NR_bind(), "notify", null);
        }
        if (plan.unlink()) {
            p.jumpIfEqual(Linux.__NR_unlink(), "notify", null);
            p.jumpIfEqual(Linux.__NR_unlinkat(), "notify", null);
        }
        if (!plan.socketCalls().isEmpty()) {
            p.jumpIfEqual(Linux.__NR_socket(), null, "allow");
            p.load(argumentOffset(0));
            int family = 0;
            for (Map.Entry<Family, Set<SocketType>> entry : plan.socketCalls().entrySet()) {
                String next = "family" + (++family);
                p.jumpIfEqual(entry.getKey().number(), null, next);
                p.load(argumentOffset(1));
                p.statement(Linux.BPF_ALU() | Linux.BPF_AND() | Linux.BPF_K(), SocketType.TYPE_MASK);
                for (SocketType type : entry.getValue()) {
                    p.jumpIfEqual(type.number(), "notify", null);
                }
                p.returnAction(Linux.SECCOMP_RET_ALLOW(), null);
                p.label(next);
            }
        }
        p.returnAction(Linux.SECCOMP_RET_ALLOW(), "allow");
        p.returnAction(Linux.SECCOMP_RET_USER_NOTIF(), "notify");
        return p;
    }

    /** The low 32 bits of argument {@code index}: socket()'s int arguments (little-endian only). */
    private static int argumentOffset(int index) {
        return (int) (seccomp_data.args$offset() + 8L * index);
    }

    private void load(int offset) {
        statement(Linux.BPF_LD() | Linux.BPF_W() | Linux.BPF_ABS(), offset);
    }

    private void statement(int opcode, int k) {
        code.add(new Insn(opcode, k, null, null, pendingLabel()));
    }

    private void jumpIfEqual(int k, String ifTrue, String ifFalse) {
        jump(Linux.BPF_JMP() | Linux.BPF_JEQ() | Linux.BPF_K(), k, ifTrue, ifFalse);
    }

    private void jump(int opcode, int k, String ifTrue, String ifFalse) {
        code.add(new Insn(opcode, k, ifTrue, ifFalse, pendingLabel()));
    }

    private void returnAction(int action, String label) {
        if (label != null) {
            label(label);
        }
        statement(Linux.BPF_RET() | Linux.BPF_K(), action);
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
        MemorySegment filters = sock_filter.allocateArray(code.size(), arena);
        for (int i = 0; i < code.size(); i++) {
            Insn insn = code.get(i);
            MemorySegment f = sock_filter.asSlice(filters, i);
            sock_filter.code(f, (short) insn.code());
            sock_filter.jt(f, relative(i, insn.jumpIfTrue()));
            sock_filter.jf(f, relative(i, insn.jumpIfFalse()));
            sock_filter.k(f, insn.k());
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
