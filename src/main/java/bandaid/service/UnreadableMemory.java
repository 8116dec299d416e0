package bandaid.service;

import bandaid.nativeaccess.HeldSockets;
import bandaid.nativeaccess.Processes;
import bandaid.socket.Errno;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Why process_vm_readv(2) was refused a caller's memory, found out and said in the user's terms:
 * the one cause of several, and what fixes it. ptrace(2), "Ptrace access mode checking" (what
 * process_vm_readv asks, PTRACE_MODE_ATTACH_REALCREDS): the caller must have bandaid's uid as its
 * real, effective and saved uid, and be dumpable, unless bandaid has CAP_SYS_PTRACE; then Yama
 * (ptrace_scope 1: descendants only, 2: CAP_SYS_PTRACE only, 3: nobody), another security module
 * or a seccomp profile may still refuse it.
 */
final class UnreadableMemory {
    /** How to give bandaid CAP_SYS_PTRACE, the fix of most causes. */
    private static final String GIVE_CAP = "give bandaid CAP_SYS_PTRACE: in its unit, AmbientCapabilities=CAP_SYS_PTRACE (and"
            + " CAP_SYS_PTRACE in CapabilityBoundingSet= if the unit sets one; bandaid keeps it from the program)";
    /**
     * How to give bandaid both capabilities a program's fds of another owner need where bandaid
     * cannot take duplicates with pidfd_getfd ({@link UnseenFd}).
     */
    private static final String GIVE_CAPS = "give bandaid CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH: in its unit,"
            + " AmbientCapabilities=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH (and both in CapabilityBoundingSet= if the unit sets one;"
            + " bandaid keeps them from the program)";

    /** @param cause what the line is about, to say each cause once */
    record Why(String cause, String line) {
    }

    private UnreadableMemory() {
    }

    /**
     * @param who    the caller as log lines name it, {@code nginx[1234]}
     * @param what   the call, {@code bind()} or {@code connect()}
     * @param errno  what process_vm_readv answered
     * @param access whether bandaid takes duplicates of the program's fds: without, the fix for a
     *               program of another owner (another uid, non-dumpable) needs CAP_DAC_READ_SEARCH too
     */
    static Why of(int pid, String who, String what, int errno, FdAccess access) {
        String refused = "cannot read the address of " + who + "'s " + what + ": process_vm_readv: " + Errno.describe(errno) + ": ";
        String then = "; until then such calls run as it made them, without the passed sockets";
        if (errno == Errno.ENOSYS) {
            return new Why("enosys", refused + "a seccomp filter bandaid runs under refuses it; allow process_vm_readv there" + then);
        }
        OptionalInt scope = Processes.yamaPtraceScope();
        if (scope.isPresent() && scope.getAsInt() >= 3) {
            return new Why("yama3", refused + "Yama's ptrace_scope is 3, which lets no process read another's memory; set"
                    + " kernel.yama.ptrace_scope to 1 (a reboot is needed to lower it from 3)" + then);
        }
        long uid = Processes.ownUid();
        if (Processes.hasCapSysPtrace()) {
            return new Why("lsm", refused + "bandaid has CAP_SYS_PTRACE, so a security module (AppArmor, SELinux) or a seccomp"
                    + " profile refuses it; allow bandaid (uid " + uid + ") to read the program's memory there" + then);
        }
        OptionalLong programUid = Processes.effectiveUid(pid);
        if (programUid.isPresent() && programUid.getAsLong() != uid) {
            return new Why("uid", refused + who + " runs as uid " + programUid.getAsLong() + " and bandaid as uid " + uid
                    + ": reading another user's memory needs CAP_SYS_PTRACE" + andFds(pid, access) + "; " + giveCapabilities(access)
                    + ", or run bandaid as uid "
                    + programUid.getAsLong() + then);
        }
        Optional<Boolean> dumpable = Processes.dumpable(pid);
        if (dumpable.isPresent() && !dumpable.get()) {
            return new Why("dumpable", refused + who + " made itself non-dumpable (prctl PR_SET_DUMPABLE 0, as daemons that hold"
                    + " secrets do), and bandaid, running as uid " + uid + ", needs CAP_SYS_PTRACE to read its memory" + andFds(pid, access)
                    + "; " + giveCapabilities(access) + then);
        }
        if (scope.isPresent() && scope.getAsInt() == 2) {
            return new Why("yama2", refused + "Yama's ptrace_scope is 2, which lets only CAP_SYS_PTRACE read another process's"
                    + " memory; " + GIVE_CAP + then);
        }
        if (scope.isPresent() && scope.getAsInt() == 1 && !Processes.isOwnDescendant(pid).orElse(true)) {
            return new Why("yama1", refused + who + " is not a descendant of bandaid, and Yama's ptrace_scope is 1, which lets a"
                    + " process read its descendants' memory only; " + GIVE_CAP + then);
        }
        return new Why("other", refused + "neither its uid, its dumpable flag nor Yama forbids it, so a security module (AppArmor,"
                + " SELinux) or a seccomp profile does; allow bandaid (uid " + uid + ") to read the program's memory there" + then);
    }

    /** The fix for a program whose fds belong to another owner than bandaid. */
    static String giveCapabilities(FdAccess access) {
        return access.byDuplicate() ? GIVE_CAP : GIVE_CAPS;
    }

    /** Why CAP_DAC_READ_SEARCH too, where it is needed. */
    private static String andFds(int pid, FdAccess access) {
        return access.byDuplicate() ? "" : ", and CAP_DAC_READ_SEARCH to enter its fd directory (" + HeldSockets.fdDirectory(pid)
                + ", mode 0500, not bandaid's) where it cannot take duplicates of its fds with pidfd_getfd, as here";
    }
}
