package bandaid.nativeaccess;

import bandaid.bindings.Linux;
import java.lang.foreign.MemorySegment;

/** errno numbers bandaid reacts to, and their names for messages. */
public final class Errno {
    public static final int ENOENT = Linux.ENOENT();
    public static final int EINTR = Linux.EINTR();
    public static final int EAGAIN = Linux.EAGAIN();
    public static final int EBUSY = Linux.EBUSY();
    public static final int EINVAL = Linux.EINVAL();
    public static final int EPERM = Linux.EPERM();
    public static final int EACCES = Linux.EACCES();
    public static final int ENOSYS = Linux.ENOSYS();
    public static final int ESRCH = Linux.ESRCH();
    public static final int EBADF = Linux.EBADF();
    public static final int ENOTSOCK = Linux.ENOTSOCK();
    public static final int EADDRINUSE = Linux.EADDRINUSE();
    public static final int EFAULT = Linux.EFAULT();
    public static final int ENOEXEC = Linux.ENOEXEC();
    public static final int ECHILD = Linux.ECHILD();

    private Errno() {
    }

    /** "EBADF", from glibc's own table (strerrorname_np(3)). */
    public static String name(int errno) {
        try {
            MemorySegment name = (MemorySegment) Libc.Strerrorname.HANDLE.invokeExact(errno);
            return name.equals(MemorySegment.NULL) ? "errno " + errno : name.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    /** "Bad file descriptor" (strerror(3)). */
    public static String description(int errno) {
        try {
            MemorySegment text = (MemorySegment) Libc.Strerror.HANDLE.invokeExact(errno);
            return text.reinterpret(256).getString(0);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }
}
