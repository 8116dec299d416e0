package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/systemd-rootfs takes its Debian mirror from the machine's apt sources, or from
 * BANDAID_TEST_MIRROR; on a machine whose sources name none it stops with one line that says how
 * to give one, where it used to fall back to an address written in the script. Run with the apt
 * sources hidden (an empty /etc/apt in a mount namespace of its own) and a root file system path
 * of its own, so that no shared tree is built or touched.
 */
class RootfsNeedsAMirrorIT {
    @TempDir
    Path dir;

    @Test
    void withoutADebianSourceItSaysHowToGiveAMirror() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "scripts/systemd-rootfs runs as root (debootstrap)");
        assumeTrue(Command.run(List.of("sh", "-c", "command -v debootstrap && command -v systemd-nspawn"), Map.of(), Duration.ofSeconds(5)).exit() == 0,
                "debootstrap and systemd-nspawn are not installed (apt-get install debootstrap systemd-container)");
        Path rootfs = dir.resolve("rootfs");
        Command.Result r = Command.run(List.of("unshare", "--mount", "--propagation", "private", "--", "sh", "-c",
                        "mount -t tmpfs tmpfs /etc/apt && exec \"$0\"", Bandaid.ROOT.resolve("scripts/systemd-rootfs").toString()),
                Map.of("BANDAID_TEST_ROOTFS", rootfs.toString(), "BANDAID_TEST_MIRROR", ""), Duration.ofSeconds(60));
        assertEquals(1, r.exit(), r.output());
        assertEquals(1, r.output().lines().count(), r.output());
        assertTrue(r.output().startsWith("systemd-rootfs: no Debian mirror in this machine's apt sources")
                && r.output().contains("BANDAID_TEST_MIRROR=URL"), r.output());
        assertFalse(Files.exists(rootfs), "nothing built");
    }
}
