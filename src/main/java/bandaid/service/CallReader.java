package bandaid.service;

import bandaid.matching.CallerFacts;
import bandaid.matching.Decider;
import bandaid.matching.Decision;
import bandaid.nativeaccess.Notification;
import bandaid.nativeaccess.Processes;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.SharedMemory;
import bandaid.socket.Errno;
import bandaid.socket.Outcome;
import bandaid.socket.Reply;
import bandaid.socket.TrappedCall;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The path of every trapped call, top to bottom, in this one place (ARCHITECTURE.md, "The path of
 * one trapped call"): receive and decode (SeccompListener.Receiver), decide (Decider.first), answer
 * at once on the reader thread; a candidate call is looked at closer (CallerLook), decided again
 * (Decider.afterLook) and answered if its caller still waits, on a thread of its own; then one
 * line. A call answered from what was read never wakes another thread: on a busy machine each
 * wake-up is a wait for a CPU (BENCHMARKS.md). A failure is answered for that one call, never by
 * killing the program; only a broken listener ends the reader. Receiving runs on a platform thread:
 * a virtual thread waiting in a native call (NOTIF_RECV) pins its carrier (JEP 444).
 */
public final class CallReader {
    private static final Reply CONTINUE = new Reply.Continue();

    private final SeccompListener listener;
    private final Decider decider;
    private final CallerLook look;
    private final FdAccess access;
    private final Executor looks;
    private final Lines lines;
    private final AtomicLong received = new AtomicLong();
    /** Calls being looked at and answered right now, off the reader thread. */
    private final AtomicLong answering = new AtomicLong();
    /** Warnings already given about unreadable memory or an fd bandaid may not look at: each cause once. */
    private final Set<String> unreadableWarned = ConcurrentHashMap.newKeySet();

    /**
     * @param access whether the look takes duplicates of the program's fds: the fix a warning gives
     *               depends on it
     * @param looks  where a closer look runs: {@link #onVirtualThreads}, one each, or
     *               {@link #onTheReader}
     * @param lines  where the lines about the program's calls go
     */
    public CallReader(SeccompListener listener, Decider decider, CallerLook look, FdAccess access, Executor looks, Lines lines) {
        this.listener = listener;
        this.decider = decider;
        this.look = look;
        this.access = access;
        this.looks = looks;
        this.lines = lines;
    }

    /** A virtual thread for each closer look: a slow look never holds up the program's next call. */
    public static Executor onVirtualThreads() {
        return task -> Thread.ofVirtual().name("bandaid-look").start(task);
    }

    /**
     * Each closer look on the reader thread itself: a look that hangs (the caller's memory or a
     * path it names may be a FUSE file) holds up this program's calls only, never another's,
     * where readers of many programs share one process (the broker).
     */
    public static Executor onTheReader() {
        return Runnable::run;
    }

    /**
     * Reads until no process is left under the filter, where the kernel tells that (Linux 6.11);
     * bandaid's exit follows the program's processes, not this.
     *
     * @param onListenerFailure told when the listener breaks: no call can be answered any more
     */
    public void start(Consumer<Throwable> onListenerFailure) {
        Thread.ofPlatform().name("bandaid-reader").daemon().start(() -> run(listener.receiver(), () -> { }, onListenerFailure));
    }

    /**
     * Reads until no process is left under the filter, on any kernel (a poll(2) before each call
     * where NOTIF_RECV alone would not tell: {@link SeccompListener#pollingReceiver}), then runs
     * {@code onEnd}: for a reader whose end nothing else tells (the broker's).
     */
    public void startUntilEnd(String name, Optional<SharedMemory.Slot> slot, Runnable onEnd, Consumer<Throwable> onListenerFailure) {
        Thread.ofPlatform().name(name).daemon().start(() -> run(slot.map(listener::pollingReceiverInto)
                .orElseGet(listener::pollingReceiver), onEnd, onListenerFailure));
    }

    private void run(SeccompListener.Receiver receiving, Runnable onEnd, Consumer<Throwable> onListenerFailure) {
        try (SeccompListener.Receiver receiver = receiving) {
            // A call an earlier reader received into this one's slot and did not answer.
            receiver.leftOver().ifPresent(n -> onCall(receiver, n));
            receiver.forEach(n -> onCall(receiver, n));
        } catch (Throwable t) {
            onListenerFailure.accept(t);
            return;
        }
        onEnd.run();
    }

    private void onCall(SeccompListener.Receiver receiver, Notification n) {
        received.incrementAndGet();
        Decision decision;
        try {
            decision = decider.first(n.call());
        } catch (RuntimeException e) {
            decision = failedToDecide(n, e);
        }
        if (decision instanceof Decision.LookCloser) {
            answering.incrementAndGet();
            looks.execute(() -> {
                try {
                    lookThenAnswer(n);
                } finally {
                    answering.decrementAndGet();
                }
            });
        } else if (decision instanceof Decision.Continue && decision.warnings().isEmpty() && n.readError() == 0) {
            // The common case, in the receiver's own memory: nothing allocated, nothing to say
            // unless -v.
            Outcome outcome = receiver.answer(n.id(), CONTINUE);
            if (lines.debugging() || !outcome.given()) {
                said(n.call(), caller(n.call().pid()), decision, outcome);
            }
        } else {
            answer(receiver::answer, n, decision);
        }
    }

    /**
     * The second step of a candidate call: look closer, decide again, and answer only if the
     * caller still waits in this very call (SECCOMP_IOCTL_NOTIF_ID_VALID: what was looked at
     * belongs to this call only then, seccomp_unotify(2)).
     */
    private void lookThenAnswer(Notification n) {
        Decision decision;
        try {
            CallerFacts facts = look.at(n.call());
            facts.unseen().ifPresent(unseen -> warnIfUnseen(n, unseen));
            decision = decider.afterLook(n.call(), facts);
        } catch (RuntimeException e) {
            decision = failedToDecide(n, e);
        }
        answer(listener::answerIfWaiting, n, decision);
    }

    /** Deciding failed (a bug of bandaid's): the failure is that call's alone, which continues. */
    private Decision failedToDecide(Notification n, RuntimeException e) {
        lines.error("answering {} from pid {} failed: {}; the call continues as the program made it", n.call(), n.call().pid(), e.toString());
        return new Decision.Continue("bandaid failed to decide");
    }

    private interface Answerer {
        Outcome answer(long id, Reply reply);
    }

    private void answer(Answerer answerer, Notification n, Decision decision) {
        TrappedCall call = n.call();
        warnIfUnreadable(n);
        // Named before answering: once answered, a short-lived caller may be gone from /proc.
        boolean named = lines.debugging() || !decision.warnings().isEmpty() || decision instanceof Decision.Refuse r && r.warn();
        String who = named ? caller(call.pid()) : "pid " + call.pid();
        decision.warnings().forEach(w -> lines.warn("{} {}", who, w));
        Outcome outcome = answerer.answer(n.id(), decision.reply());
        if (!outcome.given() && decision instanceof Decision.Inject inject) {
            // Never reached the caller: it may be handed out again, and its mode set anew.
            decider.release(inject.socket());
        }
        said(call, who, decision, outcome);
    }

    /** The one line (or none) that says what became of a call. */
    private void said(TrappedCall call, String who, Decision decision, Outcome outcome) {
        // instanceof, not a pattern switch: see ARCHITECTURE.md, "No pattern switches".
        if (outcome instanceof Outcome.Given given) {
            if (decision instanceof Decision.Refuse r && r.warn()) {
                lines.warn("{} from {} -> refused ({})", call, who, decision.why());
            } else if (lines.debugging()) {
                lines.debug("{} from {} {}", call, who, given(decision, given.result()));
            }
        } else if (outcome instanceof Outcome.CallerGone) {
            lines.debug("{} from {} -> caller went away", call, who);
        } else if (outcome instanceof Outcome.Instead instead) {
            if (instead.instead() instanceof Reply.Fail) {
                lines.warn("{} from {} -> {}, as the kernel would answer: {} could not be handed over", call, who,
                        Errno.describe(instead.errno()), decision.why());
            } else {
                lines.warn("{} from {}: {} could not be given ({}); the call runs as the program made it", call, who,
                        decision.why(), Errno.describe(instead.errno()));
            }
        } else if (outcome instanceof Outcome.FdChanged changed) {
            // The program's own race (a thread closed the fd, or put another file on it, while
            // another binds it): its answer is the kernel's, as without bandaid.
            lines.debug("{} from {} -> fd {} no longer holds the socket that called bind(), so nothing replaces it;"
                    + " the call runs as the program made it", call, who, changed.fd());
        } else if (outcome instanceof Outcome.Unanswered unanswered) {
            lines.error("answering {} from {} failed: {}", call, who, Errno.describe(unanswered.errno()));
        }
    }

    /** The debug line's end for a call answered as decided. */
    private static String given(Decision decision, long result) {
        if (decision instanceof Decision.Inject inject) {
            return inject.over().isPresent() ? "fd " + inject.over().get().fd() + " -> " + decision.why()
                    : "-> " + decision.why() + " as fd " + result;
        }
        if (decision instanceof Decision.Continue) {
            return "-> continues (" + decision.why() + ")";
        }
        if (decision instanceof Decision.Refuse) {
            return "-> refused (" + decision.why() + ")";
        }
        return "-> " + decision.why();
    }

    /**
     * process_vm_readv refused: why (a non-dumpable program, another uid, Yama, a security module
     * or seccomp profile) and what fixes it, said once per cause, naming the caller.
     */
    private void warnIfUnreadable(Notification n) {
        int errno = n.readError();
        if (errno == Errno.EPERM || errno == Errno.EACCES || errno == Errno.ENOSYS) {
            int pid = n.call().pid();
            String what = n.call() instanceof TrappedCall.Connect ? "connect()" : "bind()";
            UnreadableMemory.Why why = UnreadableMemory.of(pid, caller(pid), what, errno, access);
            if (unreadableWarned.add(why.cause())) {
                lines.warn("{}", why.line());
            }
        }
    }

    /**
     * The kernel refused the look at the caller's fd (a non-dumpable program's fd directory is
     * root's, and pidfd_getfd is not used here): why and what fixes it, said once per cause. The
     * call continues as the program made it.
     */
    private void warnIfUnseen(Notification n, CallerFacts.Unseen unseen) {
        TrappedCall call = n.call();
        int fd = call instanceof TrappedCall.Bind b ? b.fd() : call instanceof TrappedCall.Connect c ? c.fd()
                : call instanceof TrappedCall.Listen l ? l.fd() : -1;
        String what = call instanceof TrappedCall.Connect ? "connect()" : call instanceof TrappedCall.Listen ? "listen()" : "bind()";
        UnreadableMemory.Why why = UnseenFd.of(call.pid(), caller(call.pid()), fd, what, unseen, access);
        if (unreadableWarned.add(why.cause())) {
            lines.warn("{}", why.line());
        }
    }

    /** A caller as log lines name it, {@code nginx[1234]}. */
    public static String caller(int pid) {
        return Processes.name(pid).map(name -> name + "[" + pid + "]").orElse("pid " + pid);
    }

    /** How many trapped calls reached bandaid so far. */
    public long received() {
        return received.get();
    }

    /**
     * Waits up to {@code limit} for the calls being answered to finish, so that their log lines
     * are written before bandaid exits (a program may exit right after its last call).
     */
    public void awaitAnswered(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (answering.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
