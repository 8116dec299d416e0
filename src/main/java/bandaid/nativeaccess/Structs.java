package bandaid.nativeaccess;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Sizes and offsets of the small C structs bandaid fills in or reads by hand (x86-64), named
 * once here instead of as literals beside each use; AbiNumbersTest holds each one to the
 * generated bindings. The seccomp notification structs are in {@link SeccompIoctl}, sockaddrs in
 * {@link Sockaddrs}, the rest beside the one class that uses them.
 */
final class Structs {
    /** struct pollfd (poll.h): int fd; short events; short revents. */
    static final int POLLFD_SIZE = 8;
    static final int POLLFD_FD = 0;
    static final int POLLFD_EVENTS = 4;
    static final int POLLFD_REVENTS = 6;

    /** struct iovec (sys/uio.h): void *iov_base; size_t iov_len. */
    static final int IOVEC_SIZE = 16;
    static final int IOVEC_BASE = 0;
    static final int IOVEC_LEN = 8;

    /** struct seccomp_notif_sizes (linux/seccomp.h): __u16 seccomp_notif, seccomp_notif_resp, seccomp_data. */
    static final int NOTIF_SIZES_SIZE = 6;
    static final int NOTIF_SIZES_NOTIF = 0;
    static final int NOTIF_SIZES_RESP = 2;

    /** struct sock_fprog (linux/filter.h): unsigned short len; struct sock_filter *filter (after padding). */
    static final int FPROG_SIZE = 16;
    static final int FPROG_LEN = 0;
    static final int FPROG_FILTER = 8;

    private Structs() {
    }

    /** Fills in one struct iovec at {@code at} of {@code segment}. */
    static void iovec(MemorySegment segment, long at, long base, long length) {
        segment.set(ValueLayout.JAVA_LONG, at + IOVEC_BASE, base);
        segment.set(ValueLayout.JAVA_LONG, at + IOVEC_LEN, length);
    }
}
