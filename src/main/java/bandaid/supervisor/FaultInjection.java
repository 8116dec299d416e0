package bandaid.supervisor;

import bandaid.activation.PassedSocket;
import bandaid.matching.FdMatcher;
import bandaid.matching.SocketCall;
import bandaid.nativeaccess.NotificationListener;
import java.util.Optional;

/**
 * Faults the end-to-end tests provoke on purpose, to prove that bandaid fails loudly (one line,
 * exit 77, program killed) instead of hanging. Switched on only by the system property
 * {@code bandaid.fault}, which nothing but those tests sets (through BANDAID_JAVA_OPTIONS).
 */
public final class FaultInjection {
    private static final String FAULT = System.getProperty("bandaid.fault", "");

    private FaultInjection() {
    }

    /** {@code bandaid.fault=matcher-throws}: the matcher throws on its first call. */
    public static FdMatcher wrap(FdMatcher matcher) {
        if (!FAULT.equals("matcher-throws")) {
            return matcher;
        }
        return new FdMatcher() {
            @Override
            public Optional<PassedSocket> match(SocketCall call) {
                throw new IllegalStateException("matcher failed on purpose (bandaid.fault=matcher-throws)");
            }

            @Override
            public boolean needsSocketCalls() {
                return matcher.needsSocketCalls();
            }

            @Override
            public String name() {
                return matcher.name();
            }
        };
    }

    /**
     * {@code bandaid.fault=slow-bind}: each bind() that may get a passed socket waits 2 s between
     * reading the caller's memory and acting, long enough for a test to kill the caller in between.
     */
    static void slowBindIfAsked() {
        if (FAULT.equals("slow-bind")) {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@code bandaid.fault=close-listener}: the listener is closed under the reader after 300 ms. */
    static void closeListenerIfAsked(NotificationListener listener) {
        if (FAULT.equals("close-listener")) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                listener.close();
            });
        }
    }
}
