package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.bindings.Linux;
import bandaid.bindings.cmsghdr;
import bandaid.bindings.iovec;
import bandaid.bindings.msghdr;
import bandaid.bindings.pollfd;
import bandaid.bindings.seccomp_data;
import bandaid.bindings.seccomp_notif;
import bandaid.bindings.seccomp_notif_addfd;
import bandaid.bindings.seccomp_notif_resp;
import bandaid.bindings.seccomp_notif_sizes;
import bandaid.bindings.signalfd_siginfo;
import bandaid.bindings.sock_filter;
import bandaid.bindings.sock_fprog;
import bandaid.bindings.sockaddr_in6;
import bandaid.bindings.sockaddr_in;
import bandaid.bindings.sockaddr_storage;
import bandaid.bindings.sockaddr_un;
import bandaid.bindings.stat;
import bandaid.bindings.ucred;
import bandaid.socket.Errno;
import bandaid.socket.Family;
import bandaid.socket.SocketType;
import bandaid.socket.TrappedCall;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every ABI number and struct offset bandaid writes down by hand (to keep the pure layers free of
 * the bindings, or to keep costly generated classes off the start path) equals the generated
 * bindings', and the errno table equals the C library's.
 */
class AbiNumbersTest {
    @Test
    void familiesTypesAndFlags() {
        assertEquals(Linux.AF_UNIX(), Family.UNIX.number());
        assertEquals(Linux.AF_INET(), Family.INET.number());
        assertEquals(Linux.AF_INET6(), Family.INET6.number());
        assertEquals(Linux.SOCK_STREAM(), SocketType.STREAM.number());
        assertEquals(Linux.SOCK_DGRAM(), SocketType.DGRAM.number());
        assertEquals(Linux.SOCK_SEQPACKET(), SocketType.SEQPACKET.number());
        assertEquals(Linux.AT_FDCWD(), TrappedCall.Unlink.AT_FDCWD);
    }

    /**
     * Every number of {@link Abi}, by its C name, against the generated bindings' method of that
     * name: same type, same value.
     */
    @Test
    void abiConstantsAreTheBindings() throws ReflectiveOperationException {
        int checked = 0;
        for (Field field : Abi.class.getDeclaredFields()) {
            if (!Modifier.isStatic(field.getModifiers()) || field.isSynthetic()) {
                continue;
            }
            Method binding = Linux.class.getMethod(field.getName());
            assertEquals(binding.getReturnType(), field.getType(), field.getName());
            field.setAccessible(true);
            assertEquals(binding.invoke(null), field.get(null), field.getName());
            checked++;
        }
        assertTrue(checked > 90, "only " + checked + " numbers in Abi");
    }

    @Test
    void structOffsets() {
        assertEquals(sockaddr_storage.sizeof(), Sockaddrs.MAX_LENGTH);
        assertEquals(sockaddr_in.sin_port$offset(), Sockaddrs.IN_PORT);
        assertEquals(sockaddr_in.sin_addr$offset(), Sockaddrs.IN_ADDR);
        assertEquals(sockaddr_in.sizeof(), Sockaddrs.IN_SIZE);
        assertEquals(sockaddr_in6.sin6_port$offset(), Sockaddrs.IN6_PORT);
        assertEquals(sockaddr_in6.sin6_addr$offset(), Sockaddrs.IN6_ADDR);
        assertEquals(sockaddr_in6.sin6_scope_id$offset(), Sockaddrs.IN6_SCOPE_ID);
        assertEquals(sockaddr_un.sun_path$offset(), Sockaddrs.UN_PATH);
        assertEquals(sockaddr_un.sizeof(), Sockaddrs.UN_SIZE);
        assertEquals(seccomp_data.nr$offset(), BpfProgram.NR_OFFSET);
        assertEquals(seccomp_data.arch$offset(), BpfProgram.ARCH_OFFSET);
        assertEquals(seccomp_data.args$offset(), BpfProgram.ARGS_OFFSET);
        assertEquals(sock_filter.sizeof(), BpfProgram.SOCK_FILTER_SIZE);
        assertEquals(sock_fprog.sizeof(), Structs.FPROG_SIZE);
        assertEquals(sock_fprog.len$offset(), Structs.FPROG_LEN);
        assertEquals(sock_fprog.filter$offset(), Structs.FPROG_FILTER);
        assertEquals(pollfd.sizeof(), Structs.POLLFD_SIZE);
        assertEquals(pollfd.fd$offset(), Structs.POLLFD_FD);
        assertEquals(pollfd.events$offset(), Structs.POLLFD_EVENTS);
        assertEquals(pollfd.revents$offset(), Structs.POLLFD_REVENTS);
        assertEquals(iovec.sizeof(), Structs.IOVEC_SIZE);
        assertEquals(iovec.iov_base$offset(), Structs.IOVEC_BASE);
        assertEquals(iovec.iov_len$offset(), Structs.IOVEC_LEN);
        assertEquals(seccomp_notif_sizes.seccomp_notif$offset(), Structs.NOTIF_SIZES_NOTIF);
        assertEquals(seccomp_notif_sizes.seccomp_notif_resp$offset(), Structs.NOTIF_SIZES_RESP);
        assertEquals(seccomp_notif.sizeof(), SeccompIoctl.NOTIF_SIZE);
        assertEquals(seccomp_notif.id$offset(), SeccompIoctl.NOTIF_ID);
        assertEquals(seccomp_notif.pid$offset(), SeccompIoctl.NOTIF_PID);
        assertEquals(seccomp_notif.data$offset(), SeccompIoctl.NOTIF_DATA);
        assertEquals(seccomp_notif_resp.sizeof(), SeccompIoctl.RESP_SIZE);
        assertEquals(seccomp_notif_resp.id$offset(), SeccompIoctl.RESP_ID);
        assertEquals(seccomp_notif_resp.val$offset(), SeccompIoctl.RESP_VAL);
        assertEquals(seccomp_notif_resp.error$offset(), SeccompIoctl.RESP_ERROR);
        assertEquals(seccomp_notif_resp.flags$offset(), SeccompIoctl.RESP_FLAGS);
        assertEquals(seccomp_notif_addfd.sizeof(), SeccompIoctl.ADDFD_SIZE);
        assertEquals(seccomp_notif_addfd.id$offset(), SeccompIoctl.ADDFD_ID);
        assertEquals(seccomp_notif_addfd.flags$offset(), SeccompIoctl.ADDFD_FLAGS);
        assertEquals(seccomp_notif_addfd.srcfd$offset(), SeccompIoctl.ADDFD_SRCFD);
        assertEquals(seccomp_notif_addfd.newfd$offset(), SeccompIoctl.ADDFD_NEWFD);
        assertEquals(seccomp_notif_addfd.newfd_flags$offset(), SeccompIoctl.ADDFD_NEWFD_FLAGS);
        assertEquals(seccomp_notif_sizes.sizeof(), Structs.NOTIF_SIZES_SIZE);
        assertEquals(signalfd_siginfo.sizeof(), SignalQueue.SIGINFO_SIZE);
        assertEquals(signalfd_siginfo.ssi_signo$offset(), SignalQueue.SSI_SIGNO);
        assertEquals(signalfd_siginfo.ssi_code$offset(), SignalQueue.SSI_CODE);
        assertEquals(stat.sizeof(), FileIds.STAT_SIZE);
        assertEquals(msghdr.sizeof(), NotifySocket.MSGHDR_SIZE);
        assertEquals(msghdr.msg_name$offset(), NotifySocket.MSG_NAME);
        assertEquals(msghdr.msg_namelen$offset(), NotifySocket.MSG_NAMELEN);
        assertEquals(msghdr.msg_iov$offset(), NotifySocket.MSG_IOV);
        assertEquals(msghdr.msg_iovlen$offset(), NotifySocket.MSG_IOVLEN);
        assertEquals(msghdr.msg_control$offset(), NotifySocket.MSG_CONTROL);
        assertEquals(msghdr.msg_controllen$offset(), NotifySocket.MSG_CONTROLLEN);
        assertEquals(msghdr.msg_flags$offset(), NotifySocket.MSG_FLAGS);
        assertEquals(cmsghdr.cmsg_len$offset(), NotifySocket.CMSG_LEN);
        assertEquals(cmsghdr.cmsg_level$offset(), NotifySocket.CMSG_LEVEL);
        assertEquals(cmsghdr.cmsg_type$offset(), NotifySocket.CMSG_TYPE);
        assertEquals(cmsghdr.sizeof(), NotifySocket.CMSG_DATA, "CMSG_DATA follows the header, which is 8-byte aligned");
        assertEquals(ucred.pid$offset(), NotifySocket.UCRED_PID);
        assertEquals(ucred.uid$offset(), NotifySocket.UCRED_UID);
        assertEquals(stat.st_dev$offset(), FileIds.ST_DEV);
        assertEquals(stat.st_ino$offset(), FileIds.ST_INO);
        assertEquals(stat.st_mode$offset(), FileIds.ST_MODE);
    }

    @Test
    void errnoNumbersNamesAndTextsAreTheCLibrarys() throws Exception {
        assertEquals(Linux.EBADF(), Errno.EBADF);
        assertEquals(Linux.EMFILE(), Errno.EMFILE);
        assertEquals(Linux.ENOTSOCK(), Errno.ENOTSOCK);
        // Python's errno module and os.strerror are the C library's own tables.
        Process python = new ProcessBuilder("/usr/bin/python3", "-c",
                "import errno, os\nfor n in range(1, 134):\n    print(n, os.strerror(n), *[k for k in dir(errno) if getattr(errno, k) == n], sep='|')")
                .redirectErrorStream(true).start();
        int compared = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                String[] f = line.split("\\|");
                int n = Integer.parseInt(f[0]);
                String ours = Errno.describe(n);
                if (!ours.startsWith("errno ")) {
                    // A number may have several names (EOPNOTSUPP and ENOTSUP): ours is one of them.
                    List<String> names = Arrays.asList(f).subList(2, f.length);
                    assertTrue(names.contains(Errno.name(n)), "errno " + n + " is " + names + ", not " + Errno.name(n));
                    assertEquals(Errno.name(n) + " (" + f[1] + ")", ours, "errno " + n);
                    compared++;
                }
            }
        }
        python.waitFor(10, TimeUnit.SECONDS);
        assertEquals(40, compared, "every errno of the table was compared");
        assertEquals("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD): EBADF (Bad file descriptor)",
                new SyscallException("ioctl(SECCOMP_IOCTL_NOTIF_ADDFD)", Errno.EBADF).getMessage());
    }
}
