package bandaid.supervisor;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.nativeaccess.Errno;
import bandaid.nativeaccess.NotificationListener;
import bandaid.nativeaccess.SeccompFilter;
import bandaid.nativeaccess.SyscallException;
import bandaid.nativeaccess.TrapPlan;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Starts the program under bandaid's seccomp filter, in this JVM, without a helper binary.
 *
 * <p>seccomp(2): the filter and no_new_privs belong to the thread that installs them, and a
 * child inherits the filter of the thread that creates it. So a dedicated platform thread
 * installs the filter and then starts the program itself with ProcessBuilder (posix_spawn and
 * exec keep the filter), and ends. Every other JVM thread stays unfiltered: bandaid's own
 * socket calls are never trapped. A virtual thread would not do: it runs on whatever carrier
 * thread the scheduler picks, and would leave the filter on a carrier shared with others.
 */
public final class ProgramLauncher {
    /**
     * The JDK reports exec failures with the errno in the message: "error=2, No such file or
     * directory" when it spawns directly, "Exec failed, error: 2 (...)" through jspawnhelper.
     */
    private static final Pattern EXEC_ERROR = Pattern.compile("error(?:=|: )(\\d+)");

    private ProgramLauncher() {
    }

    /** The started program, and the listener for its trapped calls (empty when nothing is trapped). */
    public record Launched(Process process, Optional<NotificationListener> listener) {
    }

    public static Launched launch(List<String> command, Map<String, String> environment, TrapPlan plan) throws BandaidException {
        CompletableFuture<Launched> result = new CompletableFuture<>();
        Thread launcher = Thread.ofPlatform().name("bandaid-launcher").unstarted(() -> {
            try {
                result.complete(startOnThisThread(command, environment, plan));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        launcher.start();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BandaidException(ExitCode.START_FAILED, "interrupted while starting " + command.getFirst());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof BandaidException b) {
                throw b;
            }
            throw new BandaidException(ExitCode.START_FAILED, "cannot start " + command.getFirst() + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static Launched startOnThisThread(List<String> command, Map<String, String> environment, TrapPlan plan) throws BandaidException {
        Optional<NotificationListener> listener = plan.trapsNothing() ? Optional.empty() : Optional.of(installFilter(plan));
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(environment);
        try {
            return new Launched(builder.start(), listener);
        } catch (IOException e) {
            listener.ifPresent(NotificationListener::close);
            throw startFailure(command.getFirst(), e);
        }
    }

    private static NotificationListener installFilter(TrapPlan plan) throws BandaidException {
        try {
            return SeccompFilter.install(plan);
        } catch (SyscallException e) {
            throw filterRefused(e);
        }
    }

    /** Each way the kernel or a sandbox refuses the filter, told in terms of what to do about it. */
    static BandaidException filterRefused(SyscallException e) {
        int errno = e.errno();
        if (errno == Errno.EBUSY) {
            return new BandaidException(ExitCode.SECCOMP_BUSY, e.getMessage()
                    + ": bandaid already runs under another seccomp listener (is it wrapped in bandaid twice?); run it once");
        }
        if (errno == Errno.EPERM || errno == Errno.EACCES) {
            return new BandaidException(ExitCode.SECCOMP_FORBIDDEN, e.getMessage()
                    + ": seccomp(2) is blocked; in a systemd unit with SystemCallFilter=, add seccomp to it (SystemCallFilter=@system-service seccomp)");
        }
        if (errno == Errno.EINVAL || errno == Errno.ENOSYS) {
            return new BandaidException(ExitCode.SECCOMP_UNSUPPORTED, e.getMessage()
                    + ": this kernel lacks seccomp user notification (bandaid needs Linux 5.14 or newer, CONFIG_SECCOMP_FILTER)");
        }
        return new BandaidException(ExitCode.SECCOMP_UNSUPPORTED, e.getMessage() + ": the kernel refused bandaid's seccomp filter");
    }

    static BandaidException startFailure(String program, IOException e) {
        Matcher m = EXEC_ERROR.matcher(String.valueOf(e.getMessage()));
        int errno = m.find() ? Integer.parseInt(m.group(1)) : -1;
        if (errno == Errno.ENOENT) {
            return new BandaidException(ExitCode.NOT_FOUND, program + ": command not found");
        }
        if (errno == Errno.EACCES || errno == Errno.ENOEXEC) {
            return new BandaidException(ExitCode.NOT_EXECUTABLE, program + ": not executable");
        }
        return new BandaidException(ExitCode.START_FAILED, "cannot start " + program + ": " + e.getMessage(), e);
    }
}
