package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bandaid.activation.Family;
import bandaid.activation.SocketType;
import bandaid.bindings.Linux;
import org.junit.jupiter.api.Test;

/** The ABI numbers the pure layers write down equal the generated bindings'. */
class AbiNumbersTest {
    @Test
    void familiesAndTypes() {
        assertEquals(Linux.AF_UNIX(), Family.UNIX.number());
        assertEquals(Linux.AF_INET(), Family.INET.number());
        assertEquals(Linux.AF_INET6(), Family.INET6.number());
        assertEquals(Linux.SOCK_STREAM(), SocketType.STREAM.number());
        assertEquals(Linux.SOCK_DGRAM(), SocketType.DGRAM.number());
        assertEquals(Linux.SOCK_SEQPACKET(), SocketType.SEQPACKET.number());
        assertEquals(Linux.SOCK_NONBLOCK(), SocketType.NONBLOCK_FLAG);
        assertEquals(Linux.SOCK_CLOEXEC(), SocketType.CLOEXEC_FLAG);
    }

    @Test
    void errnoNamesComeFromGlibc() {
        assertEquals("EBADF", Errno.name(Errno.EBADF));
        assertEquals("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD): EBADF (Bad file descriptor)",
                new SyscallException("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD)", Errno.EBADF).getMessage());
    }
}
