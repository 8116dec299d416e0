package bandaid.socket;

/**
 * errno numbers (Linux, asm-generic/errno-base.h and errno.h) with their names and glibc's
 * descriptions, for answers to the program and for messages. Written down here rather than
 * looked up at run time (strerrorname_np(3) is glibc 2.32's, and each lookup is a native call):
 * AbiNumbersTest holds the numbers to the generated bindings and the texts to the C library's.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int ENOEXEC = 8;
    public static final int EBADF = 9;
    public static final int ECHILD = 10;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int ENOTTY = 25;
    public static final int ETXTBSY = 26;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int EROFS = 30;
    public static final int ENAMETOOLONG = 36;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    public static final int ENOTSOCK = 88;
    public static final int EPROTOTYPE = 91;
    public static final int ENOPROTOOPT = 92;
    public static final int EOPNOTSUPP = 95;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ECONNREFUSED = 111;

    private Errno() {
    }

    /** {@code EBADF (Bad file descriptor)}, or {@code errno 200} for one not in the table. */
    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM (Operation not permitted)";
            case ENOENT -> "ENOENT (No such file or directory)";
            case ESRCH -> "ESRCH (No such process)";
            case EINTR -> "EINTR (Interrupted system call)";
            case EIO -> "EIO (Input/output error)";
            case ENXIO -> "ENXIO (No such device or address)";
            case E2BIG -> "E2BIG (Argument list too long)";
            case ENOEXEC -> "ENOEXEC (Exec format error)";
            case EBADF -> "EBADF (Bad file descriptor)";
            case ECHILD -> "ECHILD (No child processes)";
            case EAGAIN -> "EAGAIN (Resource temporarily unavailable)";
            case ENOMEM -> "ENOMEM (Cannot allocate memory)";
            case EACCES -> "EACCES (Permission denied)";
            case EFAULT -> "EFAULT (Bad address)";
            case EBUSY -> "EBUSY (Device or resource busy)";
            case EEXIST -> "EEXIST (File exists)";
            case ENOTDIR -> "ENOTDIR (Not a directory)";
            case EISDIR -> "EISDIR (Is a directory)";
            case EINVAL -> "EINVAL (Invalid argument)";
            case ENFILE -> "ENFILE (Too many open files in system)";
            case EMFILE -> "EMFILE (Too many open files)";
            case ENOTTY -> "ENOTTY (Inappropriate ioctl for device)";
            case ETXTBSY -> "ETXTBSY (Text file busy)";
            case ENOSPC -> "ENOSPC (No space left on device)";
            case EPIPE -> "EPIPE (Broken pipe)";
            case EROFS -> "EROFS (Read-only file system)";
            case ENAMETOOLONG -> "ENAMETOOLONG (File name too long)";
            case ENOSYS -> "ENOSYS (Function not implemented)";
            case ELOOP -> "ELOOP (Too many levels of symbolic links)";
            case ENODATA -> "ENODATA (No data available)";
            case ENOTSOCK -> "ENOTSOCK (Socket operation on non-socket)";
            case EPROTOTYPE -> "EPROTOTYPE (Protocol wrong type for socket)";
            case ENOPROTOOPT -> "ENOPROTOOPT (Protocol not available)";
            case EOPNOTSUPP -> "EOPNOTSUPP (Operation not supported)";
            case EAFNOSUPPORT -> "EAFNOSUPPORT (Address family not supported by protocol)";
            case EADDRINUSE -> "EADDRINUSE (Address already in use)";
            case EADDRNOTAVAIL -> "EADDRNOTAVAIL (Cannot assign requested address)";
            case ECONNABORTED -> "ECONNABORTED (Software caused connection abort)";
            case ECONNRESET -> "ECONNRESET (Connection reset by peer)";
            case ECONNREFUSED -> "ECONNREFUSED (Connection refused)";
            default -> "errno " + errno;
        };
    }

    /** {@code EBADF}, or {@code errno 200}. */
    public static String name(int errno) {
        String d = describe(errno);
        int space = d.indexOf(' ');
        return d.startsWith("errno ") ? d : d.substring(0, space);
    }
}
