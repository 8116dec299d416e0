package bandaid.nativeaccess;

/**
 * The i386 system call numbers bandaid traps (asm/unistd_32.h), which a 32-bit program makes,
 * or a 64-bit one through {@code int 0x80}; the filter tells them apart by AUDIT_ARCH_I386.
 * Written here, not in {@link Abi}: the bindings come from the x86-64 headers, where the same
 * names have other numbers. I386Test holds each one to a C program compiled against
 * asm/unistd_32.h.
 *
 * <p>i386 has socketcall(2) besides the separate socket calls (since Linux 4.3): one call for
 * them all, the operation in its first argument (SYS_BIND, SYS_CONNECT, SYS_LISTEN, SYS_SOCKET, linux/net.h) and the
 * operation's arguments in the caller's memory, as 32-bit words. C libraries still use it.
 */
final class I386 {
    static final int NR_UNLINK = 10;
    static final int NR_SOCKETCALL = 102;
    static final int NR_UNLINKAT = 301;
    static final int NR_SOCKET = 359;
    static final int NR_BIND = 361;
    static final int NR_CONNECT = 362;
    static final int NR_LISTEN = 363;
    static final int NR_IO_URING_SETUP = 425;

    private I386() {
    }
}
