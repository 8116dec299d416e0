package bandaid.supervisor;

import bandaid.activation.PassedSocket;

/** What bandaid does with one trapped call. */
public sealed interface Decision {

    /** Let the call run in the kernel as the program made it. */
    record Continue(String why) implements Decision {
    }

    /** The caller stopped waiting (killed, or its call interrupted): nothing may be done for it. */
    record CallerGone() implements Decision {
    }

    /** Make the call return {@code value} without running it (an unlink() of a passed socket's path). */
    record Answer(long value, String why) implements Decision {
    }

    /** Make the call fail with {@code errno} without running it (--strict). */
    record Refuse(int errno, String why) implements Decision {
    }

    /** Answer socket() with a duplicate of the passed socket (ADDFD + SEND). */
    record InjectAsResult(PassedSocket socket, boolean closeOnExec, boolean nonBlocking) implements Decision {
    }

    /** Put the passed socket on the caller's fd (ADDFD + SETFD), then make bind() return 0. */
    record InjectAt(PassedSocket socket, int targetFd, boolean closeOnExec, boolean nonBlocking) implements Decision {
    }
}
