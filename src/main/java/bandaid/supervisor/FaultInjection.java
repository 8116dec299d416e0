package bandaid.supervisor;

import bandaid.matching.BindFacts;
import bandaid.matching.FdMatcher;
import bandaid.matching.SocketCall;
import bandaid.nativeaccess.SeccompListener;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.TrappedCall;
import java.util.Optional;

/**
 * Faults the end-to-end tests provoke on purpose, to prove that bandaid answers a failing call
 * for that call only, and fails loudly (one line, the program killed) only when its listener
 * breaks. Decorators that {@link Supervisor} applies only when the system property
 * {@code bandaid.fault} asks (which nothing but those tests sets, through BANDAID_JAVA_OPTIONS):
 * nothing of them sits in the path of a call otherwise.
 */
record FaultInjection(String fault) {
    static FaultInjection asked() {
        return new FaultInjection(System.getProperty("bandaid.fault", ""));
    }

    /** {@code matcher-throws}: the matcher throws on every call it is asked about. */
    FdMatcher matcher(FdMatcher matcher) {
        if (!fault.equals("matcher-throws")) {
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
     * {@code slow-bind}: each closer look at a bind() waits 2 s before it starts, long enough
     * for a test to kill the caller between the read and the answer.
     */
    CallerLook look(CallerLook look) {
        if (!fault.equals("slow-bind")) {
            return look;
        }
        return new CallerLook() {
            @Override
            public BindFacts bind(TrappedCall.Bind call) {
                try {
                    Thread.sleep(2000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return look.bind(call);
            }

            @Override
            public Optional<FileId> file(int pid, int dirfd, ListenAddress.Unix path) {
                return look.file(pid, dirfd, path);
            }
        };
    }

    /** {@code close-listener}: the listener is closed under the reader after 300 ms. */
    void listener(SeccompListener listener) {
        if (fault.equals("close-listener")) {
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
