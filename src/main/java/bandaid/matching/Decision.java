package bandaid.matching;

import bandaid.socket.CallerFd;
import bandaid.socket.PassedSocket;
import bandaid.socket.Reply;
import java.util.List;
import java.util.Optional;

/**
 * What bandaid does with one trapped call: a {@link Reply} for the kernel, with why and what to
 * tell the user; or, for a candidate call, that a closer look is needed first.
 */
public sealed interface Decision {

    /** What the kernel is to make of the call. */
    Reply reply();

    /** Why, in the words of a -v line. */
    String why();

    /** What to tell the user about the caller, each once: "CALLER " comes before each. */
    default List<String> warnings() {
        return List.of();
    }

    /**
     * Let the call run in the kernel as the program made it.
     *
     * @param warnings what to tell the user about the caller, each once: "CALLER " comes before each
     */
    record Continue(String why, List<String> warnings) implements Decision {
        public Continue {
            warnings = List.copyOf(warnings);
        }

        public Continue(String why) {
            this(why, List.of());
        }

        @Override
        public Reply reply() {
            return new Reply.Continue();
        }
    }

    /**
     * What was read is not enough: look at the caller's socket and fd (a bind) or at the file a
     * path names (an unlink), then decide again with {@link Decider#afterLook}.
     * Off the reader thread: these looks take more system calls and /proc reads.
     */
    record LookCloser() implements Decision {
        @Override
        public Reply reply() {
            throw new IllegalStateException("a call that needs a closer look has no reply yet");
        }

        @Override
        public String why() {
            return "a closer look first";
        }
    }

    /** Make the call return {@code value} without running it (an unlink() of a passed socket's path). */
    record Answer(long value, String why) implements Decision {
        @Override
        public Reply reply() {
            return new Reply.Return(value);
        }
    }

    /**
     * Make the call fail with {@code errno} without running it.
     *
     * @param warn whether the user hears of it at warning level (--strict refusing a bind), or only
     *             with -v (a self-probe refused as the kernel would without socket activation)
     */
    record Refuse(int errno, String why, boolean warn) implements Decision {
        public Refuse(int errno, String why) {
            this(errno, why, true);
        }

        @Override
        public Reply reply() {
            return new Reply.Fail(errno);
        }
    }

    /**
     * Hand the program a passed socket.
     *
     * @param over        bind(): the program's fd the socket replaces (ADDFD with SETFD, then bind()
     *                    returns 0), only while it holds the socket looked at; empty for socket():
     *                    the socket is its result (ADDFD with SEND)
     * @param nonBlocking O_NONBLOCK to set on the socket's file description first; empty: leave it,
     *                    since another process already serves on it
     * @param warnings    what to tell the user about the caller, each once: "CALLER " comes before each
     */
    record Inject(PassedSocket socket, Optional<CallerFd> over, boolean closeOnExec, Optional<Boolean> nonBlocking,
                  List<String> warnings) implements Decision {
        public Inject {
            warnings = List.copyOf(warnings);
        }

        @Override
        public Reply reply() {
            return new Reply.Hand(socket.fd(), over, closeOnExec, nonBlocking);
        }

        @Override
        public String why() {
            return "passed " + socket.describe();
        }
    }
}
