package bandaid.nativeaccess;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The one place that calls native code, through one downcall shape, {@code long f(long, long, long,
 * long, long, long, long)}, errno captured ({@code captureCallState}: errno must be read on the
 * thread and for the call that set it): syscall(2) for every system call, and posix_spawn and its
 * attribute setters. Each distinct shape costs start-up that no AOT cache keeps (BENCHMARKS.md).
 * One shape serves all because of the x86-64 System V calling convention (ARCHITECTURE.md, "One
 * downcall shape"). Results follow the kernel's convention: a negative value is {@code -errno}.
 */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CAPTURE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    /** Each thread's errno capture segment (a virtual thread gets its own, freed with it). */
    private static final ThreadLocal<MemorySegment> CAPTURE = ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(CAPTURE_LAYOUT));
    /** The one shape: seven integer arguments, an integer result. */
    private static final FunctionDescriptor SHAPE =
            FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG);
    private static final MethodHandle SYSCALL = LINKER.downcallHandle(find("syscall"), SHAPE, ERRNO);

    private Libc() {
    }

    private static MemorySegment find(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /** syscall(2): the result, or {@code -errno}. */
    static long syscall(long number, long a, long b, long c, long d, long e, long f) {
        MemorySegment capture = CAPTURE.get();
        long r;
        try {
            r = (long) SYSCALL.invokeExact(capture, number, a, b, c, d, e, f);
        } catch (Throwable t) {
            throw new IllegalStateException("syscall " + number, t);
        }
        return r == -1 ? -capture.get(JAVA_INT, ERRNO_OFFSET) : r;
    }

    static long syscall(long number, long a, long b, long c) {
        return syscall(number, a, b, c, 0, 0, 0);
    }

    /** {@link #syscall}, raising a {@link SyscallException} named {@code what} on failure. */
    static long check(String what, long result) {
        if (result < 0) {
            throw new SyscallException(what, (int) -result);
        }
        return result;
    }

    /** A glibc function that is not a system call, linked on first use. */
    static final class Function {
        private final String name;
        private final MethodHandle handle;

        Function(String name) {
            this.name = name;
            this.handle = LINKER.downcallHandle(find(name), SHAPE, ERRNO);
        }

        /** Calls it; an int result is the low 32 bits. */
        long call(long a, long b, long c, long d, long e, long f) {
            try {
                return (long) handle.invokeExact(CAPTURE.get(), a, b, c, d, e, f, 0L);
            } catch (Throwable t) {
                throw new IllegalStateException(name, t);
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }
}
