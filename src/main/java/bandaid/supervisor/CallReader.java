package bandaid.supervisor;

import bandaid.matching.Decider;
import bandaid.matching.Decision;
import bandaid.nativeaccess.Notification;
import bandaid.nativeaccess.SeccompListener;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The path of every trapped call, top to bottom: receive it and decode it once (the caller's
 * memory read once), decide, answer. A call whose answer needs nothing more than what was read
 * (a bind() no passed socket can get, a socket(), a refused bind) is answered right here, without
 * waking another thread: on a busy machine each wake-up is a wait for a CPU, and it was most of
 * what a trapped call cost (scripts/bench). A candidate call needs a closer look (the caller's
 * socket and fd, a path's file): that is done on a virtual thread of its own, so a slow look
 * never holds up the next call.
 *
 * <p>The receiving itself runs on a platform thread: it waits in NOTIF_RECV inside a native call,
 * and a virtual thread in a native call pins its carrier for as long as it waits (JEP 444).
 */
final class CallReader {
    private final SeccompListener listener;
    private final Decider decider;
    private final Responder responder;
    private final AtomicLong received = new AtomicLong();
    /** Calls being looked at and answered right now, each on its virtual thread. */
    private final AtomicLong answering = new AtomicLong();

    CallReader(SeccompListener listener, Decider decider, Responder responder) {
        this.listener = listener;
        this.decider = decider;
        this.responder = responder;
    }

    /** @param onListenerFailure told when the listener breaks: no call can be answered any more */
    void start(Consumer<Throwable> onListenerFailure) {
        Thread.ofPlatform().name("bandaid-reader").daemon().start(() -> run(onListenerFailure));
        // The virtual threads' scheduler (its carrier pool, a first virtual thread's classes and
        // JFR events) is made on first use: made now, while the program starts, the first bind
        // of a passed address does not wait for it (scripts/bench part 7, BENCHMARKS.md).
        Thread.ofVirtual().name("bandaid-warm-up").start(() -> { });
    }

    private void run(Consumer<Throwable> onListenerFailure) {
        // Ends once no process is left under the filter: nothing more to answer. bandaid's exit
        // follows the program's processes (Supervisor), not this.
        try (SeccompListener.Receiver receiver = listener.receiver()) {
            receiver.forEach(n -> answer(receiver, n));
        } catch (Throwable t) {
            onListenerFailure.accept(t);
        }
    }

    private void answer(SeccompListener.Receiver receiver, Notification n) {
        received.incrementAndGet();
        Decision decision = decideFirst(n);
        if (decision instanceof Decision.LookCloser) {
            answering.incrementAndGet();
            Thread.ofVirtual().name("bandaid-call-" + n.id()).start(() -> {
                try {
                    responder.lookThenAnswer(n);
                } finally {
                    answering.decrementAndGet();
                }
            });
        } else if (decision instanceof Decision.Continue c && c.warnings().isEmpty() && n.readError() == 0) {
            continueHere(receiver, n, c);
        } else {
            responder.carryOut(n, decision);
        }
    }

    private Decision decideFirst(Notification n) {
        try {
            return decider.first(n.call());
        } catch (RuntimeException e) {
            Log.error("deciding {} from pid {} failed: {}; the call continues as the program made it", n.call(), n.call().pid(), e.toString());
            return new Decision.Continue("bandaid failed to decide");
        }
    }

    /** The common case, in the receiver's own memory: nothing allocated per call. */
    private static void continueHere(SeccompListener.Receiver receiver, Notification n, Decision.Continue c) {
        try {
            receiver.continueCall(n.id());
        } catch (RuntimeException e) {
            Log.error("continuing {} from pid {} failed: {}", n.call(), n.call().pid(), e.toString());
            return;
        }
        if (Log.debugging()) {
            Log.debug("{} from {} -> continues ({})", n.call(), Responder.caller(n.call().pid()), c.why());
        }
    }

    /** How many trapped calls reached bandaid so far. */
    long received() {
        return received.get();
    }

    /**
     * Waits up to {@code limit} for the calls being answered to finish, so that their log lines
     * are written before bandaid exits (a program may exit right after its last call).
     */
    void awaitAnswered(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (answering.get() > 0 && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            Thread.yield();
        }
    }
}
