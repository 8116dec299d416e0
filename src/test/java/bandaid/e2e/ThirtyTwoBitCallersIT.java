package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A bind() through another ABI of the x86-64 kernel than x86-64's own is served as a 64-bit one
 * is, and refused by --strict as one is: x32 (the x86-64 numbers with __X32_SYSCALL_BIT) and i386
 * (int 0x80: bind, and socketcall(SYS_BIND) with its arguments in memory), which 32-bit server
 * binaries make. bind-abis.c makes them from a 64-bit program. Where the kernel runs no i386 code
 * (int 0x80 faults: ia32_emulation=0, some hypervisors, this test machine's), the i386 cases are
 * skipped, saying so; BpfProgramTest runs the filter's i386 branch on made-up calls anywhere.
 * Under --strict, io_uring_setup gets EPERM: a bind through io_uring (IORING_OP_BIND) passes no
 * filter. (issue 23, item 9)
 */
class ThirtyTwoBitCallersIT {
    private static final String ABIS = "bind-abis";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"x32", "i386", "i386-socketcall"})
    void aBindOfAnotherAbiIsServedAndUnderStrictRefusedAsA64BitOne(String abi) throws Exception {
        int passed = Net.freePort();
        int unpassed = Net.freePort();
        while (unpassed == passed) {
            unpassed = Net.freePort();
        }
        List<String> served = run(passed, passed, abi);
        Assumptions.assumeFalse(served.contains(abi + " unavailable"), "this kernel runs no i386 code (int 0x80 faults)");
        assertEquals(List.of("x86-64 0 0 listening", abi + " 0 0 listening", "done"), served, "the passed address");
        // EACCES for both: --strict refuses a listening address no passed socket has.
        assertEquals(List.of("x86-64 -1 13 not-listening", abi + " -1 13 not-listening", "done"), run(passed, unpassed, abi),
                "an address not passed, under --strict");
    }

    @Test
    void strictRefusesIoUringAndOtherwiseLeavesItAlone() throws Exception {
        int passed = Net.freePort();
        assertEquals(List.of("io_uring -1 1", "done"), run(passed, passed, "io_uring", "--strict"), "EPERM under --strict");
        // kernel.io_uring_disabled (Linux 6.6) may refuse it for everyone; an older kernel has no such switch.
        Path disabled = Path.of("/proc/sys/kernel/io_uring_disabled");
        Assumptions.assumeTrue(!Files.exists(disabled) || Files.readString(disabled).strip().equals("0"), "io_uring is disabled on this machine");
        assertEquals(List.of("io_uring ok", "done"), run(passed, passed, "io_uring", "-v"), "without --strict");
    }

    /** bind-abis under bandaid with {@code options} (--strict when none), passed 127.0.0.1:PASSED, binding 127.0.0.1:PORT. */
    private static List<String> run(int passed, int port, String call, String... options) throws IOException, InterruptedException {
        String bandaidOptions = options.length == 0 ? "--strict" : String.join(" ", options);
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:" + passed + " -- \"$BANDAID\" " + bandaidOptions + " -- "
                + Programs.compiled(ABIS) + " 127.0.0.1 " + port + " " + (call.equals("io_uring") ? "" : "x86-64 ") + call);
        assertEquals(0, run.exitCode(), run.stderr());
        ExitStatus.assertNoStackTrace(run.stderr());
        return run.stdout().lines().toList();
    }
}
