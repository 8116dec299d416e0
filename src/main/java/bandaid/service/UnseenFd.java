package bandaid.service;

import bandaid.matching.CallerFacts;
import bandaid.nativeaccess.HeldSockets;
import bandaid.nativeaccess.Processes;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Why the kernel refused bandaid a look at a caller's fd (what socket it holds, its flags), found
 * out and said in the user's terms, with what fixes it. Without pidfd_getfd(2) bandaid asks the
 * socket's protocol name through /proc/PID/fd/FD: the fd directory is its owner's alone, mode
 * 0500, and a non-dumpable process's (prctl PR_SET_DUMPABLE 0) belongs to root (proc(5)); the
 * kernel checks plain file permissions there (proc_fd_permission), so entering it takes
 * CAP_DAC_READ_SEARCH, and following the fd's link takes ptrace access (CAP_SYS_PTRACE for a
 * non-dumpable process). pidfd_getfd needs CAP_SYS_PTRACE only.
 */
final class UnseenFd {
    private static final String THEN = "; until then such calls run as it made them, without the passed sockets";

    private UnseenFd() {
    }

    /**
     * @param who    the caller as log lines name it, {@code nginx[1234]}
     * @param what   the call, {@code bind()}
     * @param unseen the refused call and its errno
     */
    static UnreadableMemory.Why of(int pid, String who, int fd, String what, CallerFacts.Unseen unseen, FdAccess access) {
        String refused = "cannot look at fd " + fd + " of " + who + ", the socket of its " + what + ": " + unseen + ": ";
        long uid = Processes.ownUid();
        boolean ptrace = Processes.hasCapSysPtrace();
        boolean dacReadSearch = Processes.hasCapDacReadSearch();
        if (unseen.call().startsWith("getxattr(") && !dacReadSearch) {
            String directory = HeldSockets.fdDirectory(pid);
            Optional<Boolean> dumpable = Processes.dumpable(pid);
            OptionalLong programUid = Processes.effectiveUid(pid);
            String owner = dumpable.isPresent() && !dumpable.get()
                    ? who + " made itself non-dumpable (prctl PR_SET_DUMPABLE 0, as daemons that hold secrets do), so its fd directory "
                    + directory + " belongs to root, mode 0500"
                    : programUid.isPresent() && programUid.getAsLong() != uid
                    ? who + " runs as uid " + programUid.getAsLong() + ", whose fd directory " + directory + " has mode 0500"
                    : "";
            if (!owner.isEmpty()) {
                return new UnreadableMemory.Why("fd-directory", refused + owner + ", and bandaid, running as uid " + uid
                        + ", needs CAP_DAC_READ_SEARCH to enter it (and CAP_SYS_PTRACE to follow the fd's link): it looks there"
                        + " because it cannot take a duplicate of the fd with pidfd_getfd, which needs CAP_SYS_PTRACE only ("
                        + access.why() + "); " + UnreadableMemory.giveCapabilities(access) + access.allow().map(a -> ", or " + a).orElse("")
                        + THEN);
            }
        }
        if (!ptrace) {
            return new UnreadableMemory.Why("fd-ptrace", refused + "bandaid, running as uid " + uid + ", has no ptrace access to "
                    + who + "; " + UnreadableMemory.giveCapabilities(access) + THEN);
        }
        return new UnreadableMemory.Why("fd-other", refused + "bandaid has CAP_SYS_PTRACE" + (dacReadSearch ? " and CAP_DAC_READ_SEARCH" : "")
                + ", so a security module (AppArmor, SELinux) or a seccomp profile refuses it; allow bandaid (uid " + uid
                + ") to look at the program's fds there" + THEN);
    }
}
