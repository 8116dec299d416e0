package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

/**
 * caddy (Go: its runtime makes socket() and bind() as raw system calls, never through libc, so
 * no LD_PRELOAD shim could see them) serves its site on the passed port and its admin API on a
 * port nobody passed: the site's bind() gets the passed socket, the admin bind() runs in the
 * kernel on caddy's own socket. Caddy's site address http://127.0.0.1:P makes it bind [::]:P
 * (dual-stack, IPV6_V6ONLY=0), which gets the passed 127.0.0.1:P socket by the "same port, one
 * side the wildcard" rule: a dual-stack bind asked for IPv4 too, and no IPv6 socket was passed
 * (README, "Matching"). Repeated: Go's runtime preempts
 * goroutines with SIGURG, which can arrive while a bind() waits for bandaid's answer.
 */
class CaddyAdminPortIT {
    private static final String CADDY = "/usr/bin/caddy";
    private static final String CADDYFILE = Bandaid.ROOT.resolve("src/test/resources/servers/caddy/Caddyfile").toString();

    @RepeatedTest(3)
    void servesTheSiteOnThePassedSocketAndTheAdminApiOnItsOwn(@TempDir Path home) throws Exception {
        int site = Net.freePort();
        int admin = Net.freePort();
        // env(1) execs caddy in the same process: caddy gets a home of its own for its autosave
        // and certificate storage, and the ports for the Caddyfile.
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + site),
                List.of("-v", "--", "/usr/bin/env", "HOME=" + home, "XDG_CONFIG_HOME=" + home.resolve("config"),
                        "XDG_DATA_HOME=" + home.resolve("data"), "CADDY_SITE_PORT=" + site, "CADDY_ADMIN_PORT=" + admin,
                        CADDY, "run", "--config", CADDYFILE, "--adapter", "caddyfile"))) {
            HttpResponse<String> page = ServerProbe.get("http://127.0.0.1:" + site + "/");
            assertEquals(200, page.statusCode(), a.log());
            assertEquals("caddy ok", page.body(), a.log());

            HttpResponse<String> config = ServerProbe.get("http://127.0.0.1:" + admin + "/config/");
            assertEquals(200, config.statusCode(), a.log());
            assertTrue(config.body().contains("\"body\":\"caddy ok\""), config.body() + "\n" + a.log());

            String passed = a.passedSocket(3);
            ProcessHandle caddy = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(caddy.pid(), 3);
            assertEquals(Set.of(passed), ListeningSockets.onPort(site), a.log());
            // bandaid looked at caddy's own socket, whichever Go thread bound it, and says that
            // caddy's dual-stack [::] socket became the passed IPv4 one.
            assertTrue(a.log().lines().anyMatch(l -> l.startsWith("bandaid: WARN: caddy[") && l.contains("bind([::]:" + site
                    + ") on an AF_INET6 socket with IPV6_V6ONLY=0 gets passed fd 3 \"unknown\" (127.0.0.1:" + site + "), an AF_INET socket")),
                    a.log());

            // The admin socket is caddy's own: caddy holds it, bandaid never had it.
            List<String> adminSockets = List.copyOf(ListeningSockets.onPort(admin));
            assertEquals(1, adminSockets.size(), adminSockets + "\n" + a.log());
            assertTrue(Net.sockets(caddy.pid()).contains(adminSockets.getFirst()), a.log());
            assertFalse(Net.sockets(a.answerer()).contains(adminSockets.getFirst()), a.log());
        }
    }
}
