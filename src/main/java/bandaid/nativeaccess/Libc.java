package bandaid.nativeaccess;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The downcall handles into glibc. Every call that reports failure through errno is linked with
 * {@code captureCallState("errno")} and handed a capture segment of its caller's own (see
 * {@link CallState}), never a shared static one: errno must be read on the thread and for the
 * call that set it, and another thread's call could overwrite a shared one in between.
 */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO_HANDLE =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // One holder class per function: a handle is made when it is first used. Making one costs
    // about 10 ms of class spinning (FFM's downcall stubs and their LambdaForms; the AOT cache does
    // not keep them), and only a few are needed before the program starts (the passed sockets,
    // prctl, seccomp); the others are made while it starts, on the threads that use them.

    /** long syscall(long number, ...): for calls glibc 2.31 (Debian 11) has no wrapper for. */
    static final class Syscall3 {
        static final MethodHandle HANDLE = variadic("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }

    static final class Syscall4 {
        static final MethodHandle HANDLE = variadic("syscall", 1, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }

    /** int ioctl(int fd, unsigned long request, ...): the seccomp ioctls take one pointer. */
    static final class Ioctl {
        static final MethodHandle HANDLE = variadic("ioctl", 2, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS);
    }

    /** int prctl(int option, ...). */
    static final class Prctl {
        static final MethodHandle HANDLE = variadic("prctl", 1, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    }

    /** int fcntl(int fd, int cmd, ...). */
    static final class Fcntl {
        static final MethodHandle HANDLE = variadic("fcntl", 2, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    static final class Getsockopt {
        static final MethodHandle HANDLE = fixed("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    }

    static final class Getsockname {
        static final MethodHandle HANDLE = fixed("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    }

    static final class Close {
        static final MethodHandle HANDLE = fixed("close", JAVA_INT, JAVA_INT);
    }

    static final class Waitpid {
        static final MethodHandle HANDLE = fixed("waitpid", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class Poll {
        static final MethodHandle HANDLE = fixed("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }

    static final class Read {
        static final MethodHandle HANDLE = fixed("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    }

    /** int raise(int sig): to the calling thread (tgkill), so a signal this thread unblocks reaches it. */
    static final class Raise {
        static final MethodHandle HANDLE = fixed("raise", JAVA_INT, JAVA_INT);
    }

    static final class Signalfd {
        static final MethodHandle HANDLE = fixed("signalfd", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class Sigemptyset {
        static final MethodHandle HANDLE = fixed("sigemptyset", JAVA_INT, ADDRESS);
    }

    static final class Sigaddset {
        static final MethodHandle HANDLE = fixed("sigaddset", JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class Sigismember {
        static final MethodHandle HANDLE = fixed("sigismember", JAVA_INT, ADDRESS, JAVA_INT);
    }

    /** pthread_sigmask returns the error number instead of setting errno. */
    static final class PthreadSigmask {
        static final MethodHandle HANDLE = LINKER.downcallHandle(find("pthread_sigmask"), FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    /** ssize_t getxattr(const char *path, const char *name, void *value, size_t size). */
    static final class Getxattr {
        static final MethodHandle HANDLE = fixed("getxattr", JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG);
    }

    static final class ProcessVmReadv {
        static final MethodHandle HANDLE = fixed("process_vm_readv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
    }

    /** const char *strerrorname_np(int errnum) (glibc 2.32): "EBADF". */
    static final class Strerrorname {
        static final MethodHandle HANDLE = LINKER.downcallHandle(find("strerrorname_np"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    static final class Strerror {
        static final MethodHandle HANDLE = LINKER.downcallHandle(find("strerror"), FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /** glibc's sigset_t is 1024 bits, whatever the kernel's is. */
    static final long SIGSET_BYTES = 128;

    private Libc() {
    }

    private static MemorySegment find(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    private static MethodHandle fixed(String name, ValueLayout result, ValueLayout... args) {
        return LINKER.downcallHandle(find(name), FunctionDescriptor.of(result, args), ERRNO);
    }

    private static MethodHandle variadic(String name, int firstVariadic, ValueLayout result, ValueLayout... args) {
        return LINKER.downcallHandle(find(name), FunctionDescriptor.of(result, args),
                ERRNO, Linker.Option.firstVariadicArg(firstVariadic));
    }

    /**
     * Per-call native state: the errno capture segment and scratch memory for one call's
     * arguments, freed when the call is done.
     */
    static final class CallState implements AutoCloseable {
        final Arena arena = Arena.ofConfined();
        final MemorySegment errno = arena.allocate(CAPTURE_LAYOUT);

        int errno() {
            return (int) ERRNO_HANDLE.get(errno, 0L);
        }

        SyscallException failure(String call) {
            return new SyscallException(call, errno());
        }

        @Override
        public void close() {
            arena.close();
        }
    }

    /** Rethrows what a downcall handle throws; they throw nothing checked in practice. */
    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }
}
