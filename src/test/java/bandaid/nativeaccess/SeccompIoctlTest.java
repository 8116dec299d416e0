package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ioctl numbers bandaid computes equal what the C preprocessor makes of linux/seccomp.h on
 * this machine: a C program is compiled with gcc and run.
 */
class SeccompIoctlTest {

    @Test
    void matchesTheSystemHeaders(@TempDir Path dir) throws Exception {
        Commands.needsGcc("the comparison with linux/seccomp.h");
        Path source = Files.writeString(dir.resolve("ioctl.c"), """
                #include <stdio.h>
                #include <sys/ioctl.h>
                #include <linux/seccomp.h>
                int main(void) {
                    printf("%lx\\n%lx\\n%lx\\n%lx\\n",
                        (unsigned long) SECCOMP_IOCTL_NOTIF_RECV, (unsigned long) SECCOMP_IOCTL_NOTIF_SEND,
                        (unsigned long) SECCOMP_IOCTL_NOTIF_ID_VALID, (unsigned long) SECCOMP_IOCTL_NOTIF_ADDFD);
                    return 0;
                }
                """);
        Path binary = dir.resolve("ioctl");
        Commands.run(List.of("gcc", "-o", binary.toString(), source.toString()));
        List<String> printed = Commands.run(List.of(binary.toString()));
        assertEquals(List.of(
                Long.toHexString(SeccompIoctl.NOTIF_RECV),
                Long.toHexString(SeccompIoctl.NOTIF_SEND),
                Long.toHexString(SeccompIoctl.NOTIF_ID_VALID),
                Long.toHexString(SeccompIoctl.NOTIF_ADDFD)), printed);
    }

    @Test
    void setFlagsFollowsTheSameFormula() {
        // _IOW('!', 4, __u64) from Linux 6.6's include/uapi/linux/seccomp.h.
        assertEquals(0x40082104L, SeccompIoctl.NOTIF_SET_FLAGS);
    }
}
