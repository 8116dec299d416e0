package bandaid.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bandaid.bindings.Linux;
import org.junit.jupiter.api.Test;

/** The ABI numbers the supervisor writes down (it stays clear of the bindings) equal the generated ones. */
class AbiNumbersTest {
    @Test
    void flagsAndErrnos() {
        assertEquals(Linux.AT_FDCWD(), KernelChannel.AT_FDCWD);
        assertEquals(Linux.O_CLOEXEC(), KernelChannel.O_CLOEXEC);
        assertEquals(Linux.O_NONBLOCK(), KernelChannel.O_NONBLOCK);
        assertEquals(Linux.EACCES(), CallHandler.EACCES);
        assertEquals(Linux.AT_REMOVEDIR(), CallHandler.AT_REMOVEDIR);
    }
}
