package bandaid.nativeaccess;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The i386 system call numbers bandaid writes down equal asm/unistd_32.h's on this machine. */
class I386Test {

    @Test
    void matchesTheSystemHeaders(@TempDir Path dir) throws Exception {
        Path source = Files.writeString(dir.resolve("i386.c"), """
                #include <stdio.h>
                #include <asm/unistd_32.h>
                int main(void) {
                    printf("%d %d %d %d %d %d %d %d\\n", __NR_unlink, __NR_socketcall, __NR_unlinkat, __NR_socket, __NR_bind,
                        __NR_connect, __NR_listen, __NR_io_uring_setup);
                    return 0;
                }
                """);
        Path binary = dir.resolve("i386");
        run(List.of("gcc", "-o", binary.toString(), source.toString()));
        assertEquals(List.of(I386.NR_UNLINK + " " + I386.NR_SOCKETCALL + " " + I386.NR_UNLINKAT + " " + I386.NR_SOCKET + " "
                + I386.NR_BIND + " " + I386.NR_CONNECT + " " + I386.NR_LISTEN + " " + I386.NR_IO_URING_SETUP), run(List.of(binary.toString())));
    }

    private static List<String> run(List<String> command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(command + " failed: " + out);
        }
        return out.lines().toList();
    }
}
