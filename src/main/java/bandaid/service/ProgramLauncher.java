package bandaid.service;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SeccompFilter;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.Spawner;
import bandaid.nativeaccess.SyscallException;
import bandaid.nativeaccess.TrapPlan;
import bandaid.socket.Bytes;
import bandaid.socket.Errno;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Starts the program under bandaid's seccomp filter, in this JVM, without a helper binary.
 *
 * <p>seccomp(2): the filter and no_new_privs belong to the thread that installs them, and a
 * child inherits the filter of the thread that creates it. So a dedicated platform thread
 * installs the filter and then starts the program itself (posix_spawn clones that thread), and
 * ends. Every other JVM thread stays unfiltered: bandaid's own calls are never trapped. A virtual
 * thread would not do: it runs on whatever carrier the scheduler picks, and would leave the
 * filter on a carrier shared with others.
 */
public final class ProgramLauncher {
    private ProgramLauncher() {
    }

    /** The started program, and the listener for its trapped calls (empty when nothing is trapped). */
    public record Launched(int pid, Optional<SeccompListener> listener) {
    }

    public static Launched launch(List<byte[]> command, List<byte[]> environment, TrapPlan plan) throws BandaidException {
        return onFilteredThread(Bytes.printable(command.getFirst()), () -> startOnThisThread(command, environment, plan));
    }

    /** Work done on the thread that carries the filter; it may end the process (an exec). */
    @FunctionalInterface
    public interface OnFilteredThread<T> {
        T run() throws BandaidException;
    }

    /**
     * Runs {@code work} on a new platform thread of its own and waits for its result: the thread
     * on which a filter is installed ({@link #installFilter}) and from which the program starts.
     * CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH leave that thread's ambient capabilities first: a unit
     * gives them for bandaid, to read a non-dumpable program's memory and look at its fds, and the
     * program must not inherit them.
     */
    public static <T> T onFilteredThread(String program, OnFilteredThread<T> work) throws BandaidException {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread.ofPlatform().name("bandaid-launcher").start(() -> {
            try {
                List<String> kept = Processes.keepLookingCapabilitiesFromChildren();
                if (!kept.isEmpty()) {
                    boolean one = kept.size() == 1;
                    Log.info("{} in the ambient capabilities {} bandaid's, to read the program's bind() addresses and look at its"
                            + " sockets; the program does not get {}", String.join(" and ", kept), one ? "is" : "are", one ? "it" : "them");
                }
                result.complete(work.run());
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BandaidException(ExitCode.OSERR, "interrupted while starting " + program);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BandaidException b) {
                throw b;
            }
            throw new BandaidException(ExitCode.OSERR, "cannot start " + program + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static Launched startOnThisThread(List<byte[]> command, List<byte[]> environment, TrapPlan plan) throws BandaidException {
        Optional<SeccompListener> listener = plan.trapsNothing() ? Optional.empty() : Optional.of(installFilter(plan));
        try {
            return new Launched(Spawner.spawn(command, environment), listener);
        } catch (SyscallException e) {
            listener.ifPresent(SeccompListener::close);
            throw startFailure(command, environment, e);
        }
    }

    /** Installs the filter for {@code plan} on the calling thread, which must be one {@link #onFilteredThread} made. */
    public static SeccompListener installFilter(TrapPlan plan) throws BandaidException {
        SeccompListener listener;
        try {
            listener = SeccompFilter.install(plan);
        } catch (SyscallException e) {
            throw filterRefused(e, SeccompFilter.kernelOffersUserNotification());
        }
        // Linux 5.0 to 5.8 install the filter but cannot put a passed socket into the program;
        // 5.9 to 5.13 can (a bind() is answered in two steps, which is safe), but not as a
        // socket()'s answer in one (--match=socket). Said here, before the program starts,
        // rather than at its first trapped call.
        if (!listener.handsOver()) {
            listener.close();
            throw kernelTooOld();
        }
        if (!plan.socketCalls().isEmpty() && !listener.handsOverInOneStep()) {
            listener.close();
            throw kernelTooOldForSocketMatching();
        }
        return listener;
    }

    /** The kernel's seccomp user notification lacks SECCOMP_IOCTL_NOTIF_ADDFD (Linux 5.9). */
    static BandaidException kernelTooOld() {
        return new BandaidException(ExitCode.UNAVAILABLE, new SyscallException("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD)", Errno.EINVAL).getMessage()
                + ": this kernel's seccomp user notification cannot hand a socket over (bandaid needs Linux 5.14 or newer)");
    }

    /** --match=socket on a kernel without SECCOMP_ADDFD_FLAG_SEND (Linux 5.14). */
    static BandaidException kernelTooOldForSocketMatching() {
        return new BandaidException(ExitCode.UNAVAILABLE, new SyscallException("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD, SECCOMP_ADDFD_FLAG_SEND)",
                Errno.EINVAL).getMessage() + ": --match=socket needs Linux 5.14 or newer, which hands a socket over as socket()'s answer"
                + " in one step; on this kernel use --match=address (the default)");
    }


    /**
     * Each way the kernel or a sandbox refuses the filter, told in terms of what to do about it.
     *
     * @param offered whether /proc/sys/kernel/seccomp/actions_avail lists user_notif: if it does,
     *                an ENOSYS or EINVAL comes from a filter bandaid runs under, not the kernel
     */
    static BandaidException filterRefused(SyscallException e, Optional<Boolean> offered) {
        int errno = e.errno();
        if (errno == Errno.EBUSY) {
            return new BandaidException(ExitCode.UNAVAILABLE, e.getMessage()
                    + ": bandaid already runs under another seccomp listener (is it wrapped in bandaid twice?); run it once");
        }
        boolean kernelHasIt = offered.orElse(false);
        if (errno == Errno.EPERM || errno == Errno.EACCES || errno == Errno.ENOSYS && kernelHasIt) {
            return new BandaidException(ExitCode.NOPERM, e.getMessage()
                    + ": seccomp(2) is blocked by a filter bandaid runs under; in a systemd unit with SystemCallFilter=, add seccomp"
                    + " (SystemCallFilter=@system-service seccomp); in a container, use a seccomp profile that allows seccomp");
        }
        if (errno == Errno.EINVAL || errno == Errno.ENOSYS) {
            return new BandaidException(ExitCode.UNAVAILABLE, e.getMessage()
                    + ": this kernel lacks seccomp user notification (bandaid needs Linux 5.14 or newer, CONFIG_SECCOMP_FILTER)");
        }
        return new BandaidException(ExitCode.UNAVAILABLE, e.getMessage() + ": the kernel refused bandaid's seccomp filter");
    }

    /**
     * {@link #startFailure(String, SyscallException)}, but an ENOENT for a program that is there
     * names the interpreter that is not (MissingInterpreter): posix_spawnp and execve report both
     * the same way.
     */
    public static BandaidException startFailure(List<byte[]> command, List<byte[]> environment, SyscallException e) {
        if (e.errno() == Errno.ENOENT) {
            Optional<MissingInterpreter.Found> missing = MissingInterpreter.of(command.getFirst(), environment);
            if (missing.isPresent()) {
                return new BandaidException(ExitCode.NOT_FOUND, missing.get().message());
            }
        }
        return startFailure(Bytes.printable(command.getFirst()), e);
    }

    /** posix_spawnp reports the exec's errno: the shell's 127 and 126, as bash says them. */
    public static BandaidException startFailure(String program, SyscallException e) {
        if (e.errno() == Errno.ENOENT) {
            return new BandaidException(ExitCode.NOT_FOUND, program + ": command not found");
        }
        if (e.errno() == Errno.EACCES || e.errno() == Errno.ENOEXEC) {
            return new BandaidException(ExitCode.NOT_EXECUTABLE, program + ": not executable");
        }
        return new BandaidException(ExitCode.OSERR, "cannot start " + program + ": " + e.getMessage(), e);
    }
}
