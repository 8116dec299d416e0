package bandaid.supervisor;

import bandaid.matching.Decider;
import bandaid.matching.Decision;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.Notification;
import bandaid.nativeaccess.SeccompListener;
import bandaid.socket.Errno;
import bandaid.socket.TrappedCall;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Carries out the {@link Decision} for one trapped call, and takes the closer look a candidate
 * call needs first. Whatever goes wrong while answering one call is answered for that call (it
 * continues, or gets the errno the kernel would have given): a healthy program is never killed
 * for it. Only a broken listener ends the reader (CallReader).
 */
final class Responder {
    private final SeccompListener listener;
    private final Decider decider;
    private final CallerLook look;
    /** Warnings already given about unreadable memory: each once. */
    private final Set<Integer> unreadableWarned = ConcurrentHashMap.newKeySet();

    Responder(SeccompListener listener, Decider decider, CallerLook look) {
        this.listener = listener;
        this.decider = decider;
        this.look = look;
    }

    /**
     * The second step of a candidate call, on a thread of its own: look closer, check that the
     * caller still waits in this very call (SECCOMP_IOCTL_NOTIF_ID_VALID: what was read belongs
     * to this call only then, seccomp_unotify(2)), decide again, answer.
     */
    void lookThenAnswer(Notification n) {
        try {
            Decision decision;
            if (n.call() instanceof TrappedCall.Bind b) {
                decision = decider.bind(b, look.bind(b));
            } else if (n.call() instanceof TrappedCall.Unlink u) {
                decision = decider.unlink(u, look.file(u.pid(), u.dirfd(), u.path().orElseThrow()));
            } else {
                decision = new Decision.Continue("nothing to look at");
            }
            if (!listener.isWaiting(n.id())) {
                if (decision instanceof Decision.Inject i) {
                    decider.release(i.socket());
                }
                Log.debug("{} from pid {} -> caller went away", n.call(), n.call().pid());
                return;
            }
            carryOut(n, decision);
        } catch (RuntimeException e) {
            failedToAnswer(n, e);
        }
    }

    /** Answers the call as decided; a failure is answered for this call only. */
    void carryOut(Notification n, Decision decision) {
        try {
            answer(n, decision);
        } catch (RuntimeException e) {
            failedToAnswer(n, e);
        }
    }

    private void answer(Notification n, Decision decision) {
        TrappedCall call = n.call();
        warnIfUnreadable(n);
        // instanceof, not a pattern switch: see ARCHITECTURE.md, "No pattern switches".
        if (decision instanceof Decision.Continue c) {
            // Named before answering: once answered, a short-lived caller may be gone from /proc.
            String who = c.warnings().isEmpty() ? "" : caller(call.pid());
            listener.continueCall(n.id());
            c.warnings().forEach(w -> Log.warn("{} {}", who, w));
            if (Log.debugging()) {
                Log.debug("{} from {} -> continues ({})", call, caller(call.pid()), c.why());
            }
        } else if (decision instanceof Decision.Answer a) {
            listener.returnValue(n.id(), a.value());
            if (Log.debugging()) {
                Log.debug("{} from {} -> {}", call, caller(call.pid()), a.why());
            }
        } else if (decision instanceof Decision.Refuse r) {
            String who = caller(call.pid());
            listener.fail(n.id(), r.errno());
            Log.warn("{} from {} -> refused ({})", call, who, r.why());
        } else if (decision instanceof Decision.Inject i) {
            inject(n, i);
        } else {
            throw new IllegalStateException(decision + " reached the responder");
        }
    }

    private void inject(Notification n, Decision.Inject inject) {
        TrappedCall call = n.call();
        // Named before answering: once answered, a short-lived caller may be gone from /proc.
        String who = Log.debugging() || !inject.warnings().isEmpty() ? caller(call.pid()) : "pid " + call.pid();
        inject.warnings().forEach(w -> Log.warn("{} {}", who, w));
        inject.nonBlocking().ifPresent(nonBlocking -> Fds.setNonBlocking(inject.socket().fd(), nonBlocking));
        String passed = inject.socket().describe();
        if (inject.targetFd().isEmpty()) {
            long fd = listener.injectAsResult(n.id(), inject.socket().fd(), inject.closeOnExec());
            if (fd >= 0) {
                Log.debug("{} from {} -> passed {} as fd {}", call, who, passed, fd);
                return;
            }
            decider.release(inject.socket());
            if (fd == -Errno.ENOENT) {
                Log.debug("{} from pid {} -> caller went away before passed {} was handed over", call, call.pid(), passed);
                return;
            }
            // A full fd table (EMFILE): what socket() itself would have answered.
            listener.fail(n.id(), (int) -fd);
            Log.warn("{} from pid {} -> {}: passed {} could not be handed over", call, call.pid(), Errno.describe((int) -fd), passed);
            return;
        }
        int target = inject.targetFd().get();
        // Two steps, not atomic (seccomp_unotify(2)): if a signal restarts bind() in between, the
        // restarted bind finds the passed socket already on its fd and is answered the same way
        // again; nothing leaks, since SETFD replaced the program's own fd instead of adding one.
        long r = listener.injectAt(n.id(), inject.socket().fd(), target, inject.closeOnExec());
        if (r >= 0) {
            if (listener.returnValue(n.id(), 0)) {
                Log.debug("{} from {} fd {} -> passed {}", call, who, target, passed);
            }
            return;
        }
        if (r == -Errno.ENOENT) {
            Log.debug("{} from pid {} -> caller went away", call, call.pid());
            return;
        }
        // EBADF: fd number at or above the caller's RLIMIT_NOFILE (replace_fd). The bind itself
        // would succeed in the kernel on the program's own socket: let it.
        listener.continueCall(n.id());
        Log.warn("{} from pid {}: passed {} cannot replace its fd {} ({}); the program binds its own socket instead",
                call, call.pid(), passed, target, Errno.describe((int) -r));
    }

    /** process_vm_readv refused (Yama, a sandbox): said once per errno, naming the call. */
    private void warnIfUnreadable(Notification n) {
        int errno = n.readError();
        if ((errno == Errno.EPERM || errno == Errno.EACCES || errno == Errno.ENOSYS) && unreadableWarned.add(errno)) {
            Log.warn("cannot read the address of {}'s bind(): process_vm_readv: {}; such calls run as the program made them,"
                    + " without the passed sockets (is Yama's ptrace_scope above 1, or a seccomp profile blocking it?)",
                    caller(n.call().pid()), Errno.describe(errno));
        }
    }

    /** A failure while answering this call: continue it if it still waits, and say so once. */
    private void failedToAnswer(Notification n, RuntimeException e) {
        Log.error("answering {} from pid {} failed: {}; the call continues as the program made it", n.call(), n.call().pid(), e.toString());
        try {
            listener.continueCall(n.id());
        } catch (RuntimeException again) {
            Log.debug("continuing it failed too: {}", again.toString());
        }
    }

    /** A caller as log lines name it, {@code nginx[1234]}, from /proc/PID/comm. */
    static String caller(int pid) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "comm")).strip() + "[" + pid + "]";
        } catch (IOException | RuntimeException e) {
            return "pid " + pid;
        }
    }
}
