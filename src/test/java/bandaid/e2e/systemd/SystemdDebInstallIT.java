package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The .deb from scripts/package on a Debian server with no Java at all: it installs (its postinst
 * makes the AOT cache), runs a socket-activated service through /usr/bin/bandaid, and leaves
 * nothing behind when removed.
 */
class SystemdDebInstallIT {
    @RegisterExtension
    static final Container container = Container.perClass("deb", false);
    private static final String AOT_CACHE = "/var/cache/bandaid/bandaid.aot";
    private static Path deb;

    @BeforeAll
    static void buildPackage() throws Exception {
        container.assumeBooted(); // no .deb to build where the tests cannot run
        Process build = new ProcessBuilder(Container.ROOT.resolve("scripts/package").toString(), "--lintian")
                .directory(Container.ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(Container.ROOT.resolve("target/package.log").toFile()).start();
        assertTrue(build.waitFor(15, TimeUnit.MINUTES), "scripts/package took more than 15 minutes");
        assertEquals(0, build.exitValue(), Files.readString(Container.ROOT.resolve("target/package.log")));
        try (Stream<Path> files = Files.list(Container.ROOT.resolve("target"))) {
            deb = files.filter(f -> f.getFileName().toString().matches("bandaid_.*_amd64\\.deb")).findFirst().orElseThrow();
        }
    }

    @Test
    void installsServesAndRemovesCleanlyWithoutAJdk() throws Exception {
        assertNotEquals(0, container.sh("command -v java || ls /usr/lib/jvm").exitCode(), "the container must have no Java");

        Container.Result install = container.sh("dpkg -i " + Container.INSIDE + "/target/" + deb.getFileName());
        assertEquals(0, install.exitCode(), install.toString());
        String version = container.ok("bandaid --version 2>&1");
        assertTrue(version.matches("(?s)bandaid \\d+\\.\\d+\\.\\d+ \\(Java \\d+.*\\)\\s*"), version);
        // The postinst made the AOT cache and bandaid maps it (-XX:AOTMode=on fails when the
        // launcher passes none or the JVM cannot use it; by default it would quietly start
        // without, slower).
        assertEquals(0, container.sh("test -s " + AOT_CACHE).exitCode(), "no AOT cache after dpkg -i: " + install);
        container.ok("BANDAID_JAVA_OPTIONS=-XX:AOTMode=on bandaid --version");
        // A cache not dated as the jar (another jar's) is not used: bandaid starts with the CDS
        // archive scripts/package made, which maps (-Xshare:on fails otherwise). make-aot-cache,
        // run again by hand, makes it anew, quietly.
        container.ok("touch " + AOT_CACHE);
        assertNotEquals(0, container.sh("BANDAID_JAVA_OPTIONS=-XX:AOTMode=on bandaid --version").exitCode(), "a stale cache used");
        container.ok("BANDAID_JAVA_OPTIONS=-Xshare:on bandaid --version");
        assertEquals("", container.ok("/usr/lib/bandaid/make-aot-cache 2>&1"));
        container.ok("BANDAID_JAVA_OPTIONS=-XX:AOTMode=on bandaid --version");
        // Installed again (to dpkg an upgrade: the old prerm drops the cache, the new postinst
        // makes one), bandaid has a cache that maps.
        container.ok("dpkg -i " + Container.INSIDE + "/target/" + deb.getFileName());
        container.ok("BANDAID_JAVA_OPTIONS=-XX:AOTMode=on bandaid --version");
        container.ok("test -f /usr/share/man/man1/bandaid.1.gz");
        container.ok("test -f /usr/share/doc/bandaid/examples/web.socket");

        // The unit pair bandaid itself writes, activated on the first connection.
        container.ok("bandaid unit pkgweb --listen 127.0.0.1:8095 --write /etc/systemd/system -- "
                + Container.PYTHON + " -m http.server 8095 --bind 127.0.0.1 && systemctl daemon-reload && systemctl start pkgweb.socket");
        assertTrue(container.ok("cat /etc/systemd/system/pkgweb.service").contains("ExecStart=/usr/bin/bandaid -- /usr/bin/python3"));
        assertEquals("inactive", container.state("pkgweb.service"));
        Container.Http response = container.get("http://127.0.0.1:8095/");
        assertEquals(200, response.status(), response + "\n" + container.journal("pkgweb.service"));
        assertEquals("active", container.state("pkgweb.service"));
        // Its main process shows as bandaid (issue 24, item 8): the name systemctl status, ps and
        // pidof show, and a command line of the postinst's @argfile and what bandaid was given.
        String mainPid = container.ok("systemctl show -P MainPID pkgweb.service").strip();
        assertEquals("bandaid", container.ok("cat /proc/" + mainPid + "/comm").strip());
        assertEquals("/usr/lib/bandaid/runtime/bin/bandaid @/var/cache/bandaid/bandaid.args -- " + Container.PYTHON
                + " -m http.server 8095 --bind 127.0.0.1", container.ok("tr '\\0' ' ' < /proc/" + mainPid + "/cmdline").strip());
        assertTrue(List.of(container.ok("pidof bandaid").strip().split(" ")).contains(mainPid), "pidof bandaid");

        // Broker mode, once the admin enables it: the same unit, its program now the main
        // process; the package's broker unit is hardened.
        container.ok("systemctl stop pkgweb.service && systemctl enable --now bandaid-broker.socket");
        assertEquals(200, container.get("http://127.0.0.1:8095/").status(), container.journal("pkgweb.service")
                + "\n" + container.journal("bandaid-broker.service"));
        String main = container.property("pkgweb.service", "MainPID");
        assertEquals("python3", container.ok("cat /proc/" + main + "/comm").strip(), container.journal("pkgweb.service"));
        String security = container.ok("systemd-analyze security --no-pager bandaid-broker.service");
        System.out.println(security);
        double exposure = Double.parseDouble(security.replaceAll("(?s).*Overall exposure level for bandaid-broker.service: ([0-9.]+).*", "$1"));
        assertTrue(exposure <= 5.0, "bandaid-broker.service's exposure is " + exposure + ":\n" + security);
        // An upgrade restarts the broker on the new jar; the service it answers goes on.
        container.ok("dpkg -i " + Container.INSIDE + "/target/" + deb.getFileName());
        assertEquals("active", container.state("bandaid-broker.service"));
        assertEquals(main, container.property("pkgweb.service", "MainPID"));

        container.ok("systemctl stop pkgweb.socket pkgweb.service && rm /etc/systemd/system/pkgweb.* && systemctl daemon-reload");
        container.ok("systemctl disable bandaid-broker.socket");
        container.ok("apt-get remove -y bandaid");
        assertEquals("inactive", container.state("bandaid-broker.service"));
        // (The repository itself is bound at /opt/bandaid: not the package's.)
        String left = container.ok("find /usr /etc /var/lib/dpkg/info /var/cache /opt -path " + Container.INSIDE
                + " -prune -o -name '*bandaid*' -print 2>/dev/null || true");
        assertEquals(List.of(), left.lines().toList(), "left behind by apt-get remove");
    }
}
