package bandaid.nativeaccess;

import bandaid.socket.Errno;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/** Process-level calls: pidfds, signals to a process, the subreaper and no_new_privs flags, reaping. */
public final class Processes {
    private Processes() {
    }

    /** bandaid's own pid. */
    public static int ownPid() {
        return (int) Libc.syscall(Abi.__NR_getpid, 0, 0, 0);
    }

    /**
     * A process's name as /proc/PID/comm gives it (proc(5)): the executable's name, 15 bytes at
     * most, or what the process set with PR_SET_NAME.
     *
     * @return empty when the process is gone or hidden
     */
    public static Optional<String> name(long pid) {
        try {
            return Optional.of(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * A process's working directory, /proc/PID/cwd (proc(5)).
     *
     * @return empty when the process is gone or hidden
     */
    public static Optional<Path> workingDirectory(long pid) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "cwd")));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * bandaid's own environment or arguments as exec(2) passed them: the bytes of /proc/self/environ
     * or /proc/self/cmdline (proc(5)), NUL-separated. The JVM decodes both with the locale's
     * charset (sun.jnu.encoding), which loses what is not text in it.
     *
     * @param file "environ" or "cmdline"
     * @throws IOException when /proc cannot be read
     */
    public static byte[] own(String file) throws IOException {
        return Files.readAllBytes(Path.of("/proc/self", file));
    }

    /**
     * The cgroup {@code pid} belongs to in the unified hierarchy (the "0::PATH" line of
     * /proc/PID/cgroup, cgroups(7)): a service's own, under systemd.
     *
     * @return empty when the process is gone or hidden, or no unified hierarchy is mounted
     */
    public static Optional<String> cgroup(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
                if (line.startsWith("0::")) {
                    return Optional.of(line.substring(3));
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or hidden
        }
        return Optional.empty();
    }

    /**
     * The processes in the cgroup {@code path} of the unified hierarchy (its cgroup.procs, under
     * /sys/fs/cgroup, or /sys/fs/cgroup/unified where the hierarchy is hybrid).
     *
     * @return empty when the cgroup is gone or cannot be read
     */
    public static List<Long> inCgroup(String path) {
        for (String root : List.of("/sys/fs/cgroup", "/sys/fs/cgroup/unified")) {
            Path procs = Path.of(root + path, "cgroup.procs");
            try {
                return Files.readAllLines(procs).stream().map(String::strip).filter(l -> !l.isEmpty()).map(Long::parseLong).toList();
            } catch (IOException | RuntimeException e) {
                // not under this root
            }
        }
        return List.of();
    }

    /** The pids of bandaid's children: the program, and the orphans it left (bandaid is their subreaper). */
    public static List<Long> children() {
        return ProcessHandle.current().children().map(ProcessHandle::pid).toList();
    }

    /** {@code pid} and every process below it, while it runs; empty once it is gone. */
    public static List<Long> withDescendants(long pid) {
        return ProcessHandle.of(pid).map(p -> java.util.stream.Stream.concat(java.util.stream.Stream.of(p), p.descendants())
                .map(ProcessHandle::pid).toList()).orElse(List.of());
    }

    /** The pids of every process below bandaid. */
    public static List<Long> descendants() {
        return ProcessHandle.current().descendants().map(ProcessHandle::pid).toList();
    }

    /**
     * Sends {@code signal} to {@code pid} through a pidfd (pidfd_send_signal(2): never to a later
     * process that reused the pid), or with kill(2) where pidfds are refused (a sandbox).
     *
     * @return false when the process is gone
     */
    public static boolean signal(long pid, int signal) {
        OptionalInt pidfd;
        try {
            pidfd = pidfdOpen(pid);
        } catch (SyscallException refused) {
            return kill(pid, signal);
        }
        if (pidfd.isEmpty()) {
            return false;
        }
        try {
            return sendSignal(pidfd.getAsInt(), signal);
        } finally {
            Fds.close(pidfd.getAsInt(), "pidfd of " + pid);
        }
    }

    /**
     * A pidfd for {@code pid}: signals sent through it reach that process and never a later one
     * that reused its pid. Opened O_CLOEXEC (pidfd_open(2) always sets it).
     *
     * @return empty when the process has already exited and been reaped (ESRCH)
     * @throws SyscallException when pidfd_open is refused (a sandbox's seccomp profile)
     */
    public static OptionalInt pidfdOpen(long pid) {
        long fd = Libc.syscall(Abi.__NR_pidfd_open, pid, 0, 0);
        if (fd == -Errno.ESRCH) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) Libc.check("pidfd_open(" + pid + ")", fd));
    }

    /**
     * pidfd_open(2) takes a process (thread-group leader) before Linux 6.9; a notification names
     * the calling thread. Only when the thread is not the leader, its Tgid comes from
     * /proc/TID/status. The kernel says "not a leader" with EINVAL before Linux 6.15 and with
     * ENOENT since (kernel/fork.c, pidfd_prepare); ESRCH means the thread is gone.
     *
     * @return empty when the thread is gone or pidfd_open is refused
     */
    static OptionalInt pidfdOfThread(int tid) {
        long fd = Libc.syscall(Abi.__NR_pidfd_open, tid, 0, 0);
        if (fd >= 0) {
            return OptionalInt.of((int) fd);
        }
        if (fd != -Errno.EINVAL && fd != -Errno.ENOENT) {
            return OptionalInt.empty();
        }
        Optional<Integer> tgid = threadGroup(tid);
        if (tgid.isEmpty()) {
            return OptionalInt.empty();
        }
        fd = Libc.syscall(Abi.__NR_pidfd_open, tgid.get(), 0, 0);
        return fd >= 0 ? OptionalInt.of((int) fd) : OptionalInt.empty();
    }

    /**
     * The number of seccomp filters on {@code pid} (the Seccomp_filters line of /proc/PID/status,
     * Linux 5.9): 0 when it runs under none.
     *
     * @return empty when the process is gone, hidden (ProtectProc=invisible) or the kernel does
     * not tell
     */
    public static OptionalInt seccompFilters(long pid) {
        return statusField(Long.toString(pid), "Seccomp_filters").map(v -> OptionalInt.of(Integer.parseInt(v)))
                .orElse(OptionalInt.empty());
    }

    /**
     * The filters bandaid itself runs under: read from the process's status, which shows its
     * first thread's; bandaid's own filter is only ever on the launcher thread, so what is seen
     * here was inherited from whoever started bandaid.
     */
    public static int ownSeccompFilters() {
        return seccompFilters(ownPid()).orElse(0);
    }

    /** bandaid's real uid (the first field of the Uid line of /proc/self/status), -1 if unreadable. */
    public static long ownUid() {
        return statusField("self", "Uid").map(v -> Long.parseLong(v.split("\\s+")[0])).orElse(-1L);
    }

    /**
     * Whether a process is dumpable (prctl(2), PR_SET_DUMPABLE). proc(5): the files under
     * /proc/PID of a process that is not belong to root (user ID 0 of its user namespace), the
     * directory itself excepted; a dumpable one's belong to its effective uid.
     *
     * @return empty when the process is gone or runs as root (then both say 0)
     */
    public static Optional<Boolean> dumpable(long pid) {
        OptionalLong euid = effectiveUid(pid);
        if (euid.isEmpty() || euid.getAsLong() == 0) {
            return Optional.empty();
        }
        try {
            int owner = (Integer) Files.getAttribute(Path.of("/proc", Long.toString(pid), "status"), "unix:uid");
            return Optional.of(owner != 0);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether {@code pid} is a process below bandaid, which Yama's ptrace_scope 1 asks of a
     * process reading another's memory.
     *
     * @return empty when no such process exists (any more)
     */
    public static Optional<Boolean> isOwnDescendant(long pid) {
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return Optional.empty();
        }
        long self = ProcessHandle.current().pid();
        for (Optional<ProcessHandle> p = process.get().parent(); p.isPresent(); p = p.get().parent()) {
            if (p.get().pid() == self) {
                return Optional.of(true);
            }
        }
        return Optional.of(false);
    }

    /** A process's effective uid (the second field of the Uid line of /proc/PID/status). */
    public static OptionalLong effectiveUid(long pid) {
        return statusField(Long.toString(pid), "Uid").map(v -> OptionalLong.of(Long.parseLong(v.split("\\s+")[1])))
                .orElse(OptionalLong.empty());
    }

    /**
     * Whether bandaid holds CAP_SYS_PTRACE in its effective set (the CapEff line of
     * /proc/self/status): it lets bandaid read the memory of a program that made itself
     * non-dumpable, or runs as another user, or where Yama's ptrace_scope is 2.
     */
    public static boolean hasCapSysPtrace() {
        return hasCapability(Abi.CAP_SYS_PTRACE);
    }

    /**
     * Whether bandaid holds CAP_DAC_READ_SEARCH in its effective set: it lets bandaid enter the
     * fd directory (/proc/PID/fd) of a program that made itself non-dumpable or runs as another
     * user, which belongs to root or that user, mode 0500 (proc(5)).
     */
    public static boolean hasCapDacReadSearch() {
        return hasCapability(Abi.CAP_DAC_READ_SEARCH);
    }

    private static boolean hasCapability(int capability) {
        return statusField("self", "CapEff").map(v -> (Long.parseUnsignedLong(v, 16) >>> capability & 1) != 0).orElse(false);
    }

    /**
     * Takes CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH out of the calling thread's ambient
     * capabilities (prctl(2), PR_CAP_AMBIENT_LOWER), so that a program it starts does not get
     * them: a unit's AmbientCapabilities= meant for bandaid, to read a non-dumpable program's
     * memory and fd directory, would otherwise reach the program too (capabilities(7): the
     * ambient set is kept across execve). Capabilities belong to each thread: bandaid's other
     * threads keep theirs.
     *
     * @return the names of those that were there, in that order
     */
    public static List<String> keepLookingCapabilitiesFromChildren() {
        List<String> lowered = new ArrayList<>(2);
        if (lowerAmbient(Abi.CAP_SYS_PTRACE, "CAP_SYS_PTRACE")) {
            lowered.add("CAP_SYS_PTRACE");
        }
        if (lowerAmbient(Abi.CAP_DAC_READ_SEARCH, "CAP_DAC_READ_SEARCH")) {
            lowered.add("CAP_DAC_READ_SEARCH");
        }
        return lowered;
    }

    private static boolean lowerAmbient(int capability, String name) {
        long set = Libc.syscall(Abi.__NR_prctl, Abi.PR_CAP_AMBIENT, Abi.PR_CAP_AMBIENT_IS_SET, capability, 0, 0, 0);
        if (set <= 0) {
            return false; // not there, or a kernel without ambient capabilities (before 4.3)
        }
        Libc.check("prctl(PR_CAP_AMBIENT_LOWER, " + name + ")",
                Libc.syscall(Abi.__NR_prctl, Abi.PR_CAP_AMBIENT, Abi.PR_CAP_AMBIENT_LOWER, capability, 0, 0, 0));
        return true;
    }

    /**
     * Yama's ptrace_scope (/proc/sys/kernel/yama/ptrace_scope): 0 any process of the same user,
     * 1 only descendants, 2 only with CAP_SYS_PTRACE, 3 nobody may read another's memory.
     *
     * @return empty without Yama
     */
    public static OptionalInt yamaPtraceScope() {
        try {
            return OptionalInt.of(Integer.parseInt(Files.readString(Path.of("/proc/sys/kernel/yama/ptrace_scope")).strip()));
        } catch (IOException | RuntimeException e) {
            return OptionalInt.empty();
        }
    }

    private static Optional<Integer> threadGroup(int tid) {
        return statusField(Integer.toString(tid), "Tgid").map(Integer::parseInt);
    }

    /**
     * The value of the line {@code NAME:} of /proc/PID/status (proc(5)), trimmed.
     *
     * @return empty when the process is gone, hidden (ProtectProc=invisible), or the kernel has
     * no such line
     */
    private static Optional<String> statusField(String pid, String name) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith(name + ":")) {
                    return Optional.of(line.substring(name.length() + 1).strip());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone or hidden
        }
        return Optional.empty();
    }

    /** @return false when the process has already exited (ESRCH) */
    public static boolean sendSignal(int pidfd, int signal) {
        long r = Libc.syscall(Abi.__NR_pidfd_send_signal, pidfd, signal, 0, 0, 0, 0);
        return r != -Errno.ESRCH && Libc.check("pidfd_send_signal(" + signal + ")", r) == 0;
    }

    /**
     * kill(2), for when pidfds are refused: only safe for a child bandaid has not reaped yet (an
     * unreaped pid cannot be reused).
     *
     * @return false when the process is gone (ESRCH)
     */
    public static boolean kill(long pid, int signal) {
        long r = Libc.syscall(Abi.__NR_kill, pid, signal, 0);
        return r != -Errno.ESRCH && Libc.check("kill(" + pid + ", " + signal + ")", r) == 0;
    }

    /**
     * prctl(PR_SET_CHILD_SUBREAPER): orphans of the program (a daemon's double fork) become
     * bandaid's children instead of init's, so bandaid reaps them and sees when the last one
     * exits, and under Yama ptrace_scope=1 they stay its descendants, whose memory it may read.
     */
    public static void becomeSubreaper() {
        setFlag(Abi.PR_SET_CHILD_SUBREAPER, "prctl(PR_SET_CHILD_SUBREAPER)");
    }

    /** prctl(PR_SET_NO_NEW_PRIVS) on the calling thread: required for an unprivileged filter. */
    static void setNoNewPrivileges() {
        setFlag(Abi.PR_SET_NO_NEW_PRIVS, "prctl(PR_SET_NO_NEW_PRIVS)");
    }

    private static void setFlag(int option, String call) {
        Libc.check(call, Libc.syscall(Abi.__NR_prctl, option, 1, 0, 0, 0, 0));
    }

    /**
     * A child that ended, and how: as a shell reports it, the exit status, or 128+N when signal N
     * killed it.
     */
    public record Reaped(int pid, int status) {
    }

    /**
     * Waits for any child to end and reaps it (wait4(-1), wait(2)); bandaid starts no other
     * children than the program, so every one is the program or an orphan it left.
     *
     * @return empty when bandaid has no children left (ECHILD)
     */
    public static Optional<Reaped> reapAnyChild() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            while (true) {
                long pid = Libc.syscall(Abi.__NR_wait4, -1, status.address(), 0, 0, 0, 0);
                if (pid > 0) {
                    return Optional.of(new Reaped((int) pid, shellStatus(status.get(ValueLayout.JAVA_INT, 0))));
                }
                if (pid == -Errno.ECHILD) {
                    return Optional.empty();
                }
                if (pid != -Errno.EINTR) {
                    Libc.check("wait4(-1)", pid);
                }
            }
        }
    }

    /**
     * Waits for the child {@code pid} to end and reaps it (wait4(2)), leaving every other child
     * alone.
     *
     * @return its status as a shell reports it
     */
    public static int reap(int pid) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            while (true) {
                long r = Libc.syscall(Abi.__NR_wait4, pid, status.address(), 0, 0, 0, 0);
                if (r == pid) {
                    return shellStatus(status.get(ValueLayout.JAVA_INT, 0));
                }
                if (r != -Errno.EINTR) {
                    Libc.check("wait4(" + pid + ")", r);
                }
            }
        }
    }

    /** wait(2)'s status word: WIFEXITED -> WEXITSTATUS, WIFSIGNALED -> 128 + WTERMSIG. */
    static int shellStatus(int status) {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal;
    }

    /**
     * Ends bandaid by {@code signal}, the way the program ended: restores the signal's default
     * action (HotSpot installs a handler of its own for SIGPIPE even under -Xrs), unblocks it on
     * the calling thread (every thread blocks the forwarded ones, for the signalfd) and sends it
     * to this very thread (tgkill(2)). Returns only if the signal did not end the process.
     */
    public static void dieBy(int signal) {
        try (Arena arena = Arena.ofConfined()) {
            // struct kernel_sigaction {handler, flags, restorer, mask}: all zero is SIG_DFL.
            MemorySegment action = arena.allocate(32, 8);
            Libc.syscall(Abi.__NR_rt_sigaction, signal, action.address(), 0, Signals.KERNEL_SIGSET_BYTES, 0, 0);
            MemorySegment set = arena.allocateFrom(ValueLayout.JAVA_LONG, Signals.mask(signal));
            Libc.syscall(Abi.__NR_rt_sigprocmask, Abi.SIG_UNBLOCK, set.address(), 0, Signals.KERNEL_SIGSET_BYTES, 0, 0);
            Libc.syscall(Abi.__NR_tgkill, ownPid(), Libc.syscall(Abi.__NR_gettid, 0, 0, 0), signal, 0, 0, 0);
        }
    }
}
