package bandaid.matching;

import bandaid.socket.PassedSocket;
import java.util.List;
import java.util.Optional;

/** What bandaid does with one trapped call. */
public sealed interface Decision {

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
    }

    /**
     * What was read is not enough: look at the caller's socket and fd (a bind) or at the file a
     * path names (an unlink), then decide again with {@link Decider#bind} or {@link Decider#unlink}.
     * Off the reader thread: these looks take more system calls and /proc reads.
     */
    record LookCloser() implements Decision {
    }

    /** Make the call return {@code value} without running it (an unlink() of a passed socket's path). */
    record Answer(long value, String why) implements Decision {
    }

    /** Make the call fail with {@code errno} without running it (--strict). */
    record Refuse(int errno, String why) implements Decision {
    }

    /**
     * Hand the program a passed socket.
     *
     * @param targetFd    bind(): the program's fd the socket replaces (ADDFD with SETFD, then bind()
     *                    returns 0); empty for socket(): the socket is its result (ADDFD with SEND)
     * @param nonBlocking O_NONBLOCK to set on the socket's file description first; empty: leave it,
     *                    since another process already serves on it
     * @param warnings    what to tell the user about the caller, each once: "CALLER " comes before each
     */
    record Inject(PassedSocket socket, Optional<Integer> targetFd, boolean closeOnExec, Optional<Boolean> nonBlocking,
                  List<String> warnings) implements Decision {
        public Inject {
            warnings = List.copyOf(warnings);
        }
    }
}
