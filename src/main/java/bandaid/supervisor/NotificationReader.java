package bandaid.supervisor;

import bandaid.activation.ListenAddress;
import bandaid.nativeaccess.Notification;
import bandaid.nativeaccess.NotificationListener;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Receives the trapped calls. A bind() that only continues (most of them: clients, port 0) is
 * answered right here, with two system calls that never wait
 * ({@link CallHandler#answerIfOnlyContinued}); every other call is answered on a virtual thread
 * of its own, so a slow answer (reading /proc, handing over a socket) never holds up the next call.
 *
 * <p>The receiving itself runs on a platform thread: it waits in poll(2) inside a native call,
 * and a virtual thread in a native call pins its carrier for as long as it waits (JEP 444), which
 * would take one of the few carriers for good.
 */
public final class NotificationReader {
    private final NotificationListener listener;
    private final CallHandler handler;
    private final Consumer<Throwable> onFailure;
    private final AtomicLong received = new AtomicLong();
    /** Calls being answered right now, each on its virtual thread. */
    private final AtomicLong answering = new AtomicLong();

    public NotificationReader(NotificationListener listener, CallHandler handler,
                              Consumer<Throwable> onFailure) {
        this.listener = listener;
        this.handler = handler;
        this.onFailure = onFailure;
    }

    public Thread start() {
        return Thread.ofPlatform().name("bandaid-reader").daemon().start(this::run);
    }

    private void run() {
        try (NotificationListener.Receiver receiver = listener.receiver()) {
            ContinueChannel own = new ContinueChannel() {
                @Override
                public Optional<ListenAddress> readSockaddr(int pid, long address, long length) {
                    return receiver.readSockaddr(pid, address, length);
                }

                @Override
                public boolean continueCall(long id) {
                    return receiver.continueCall(id);
                }
            };
            while (true) {
                Optional<Notification> next = receiver.next();
                if (next.isEmpty()) {
                    // No process is left under the filter: nothing more to answer. bandaid's
                    // exit follows the program's processes (Supervisor), not this.
                    return;
                }
                Notification n = next.get();
                received.incrementAndGet();
                if (!handler.answerIfOnlyContinued(n, own)) {
                    answering.incrementAndGet();
                    Thread.ofVirtual().name("bandaid-call-" + n.id()).start(() -> answer(n));
                }
            }
        } catch (Throwable t) {
            onFailure.accept(t);
        }
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

    private void answer(Notification n) {
        try {
            handler.handle(n);
        } catch (Throwable t) {
            onFailure.accept(t);
        } finally {
            answering.decrementAndGet();
        }
    }
}
