package bandaid.e2e.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The point of socket activation: the listening socket is systemd's, so it stays open while the
 * service restarts, and clients queue in its backlog instead of being refused.
 */
class SystemdRestartIT {
    private static final int RESTARTS = 5;
    @RegisterExtension
    static final Container container = Container.perClass("restart");

    @Test
    void noConnectionIsRefusedWhileTheServiceRestarts() throws Exception {
        container.install(Map.of(
                "busy.socket", "[Socket]\nListenStream=127.0.0.1:8300\n",
                // Six starts within seconds: past systemd's default start limit (5 in 10 s).
                "busy.service", "[Unit]\nStartLimitIntervalSec=0\n[Service]\nExecStart=" + Container.BANDAID + " -- " + Container.PYTHON
                        + " -m http.server 8300 --bind 127.0.0.1\n"));
        container.ok("systemctl start busy.socket");
        assertEquals(200, container.get("http://127.0.0.1:8300/").status(), container.journal("busy.service"));

        // One client, one request after the other, from before the first restart until a second
        // after the last (the stop file; 120 s at most): curl's exit 7 is a refused connection;
        // any other failure is counted apart (a request python had accepted when it was stopped
        // can be cut off, at most one per restart with one client).
        String client = """
                ok=0 refused=0 other=0 end=$((SECONDS + 120))
                while [[ ! -e /run/restarts-done ]] && (( SECONDS < end )); do
                  code=$(curl -s -o /dev/null -m 30 -w '%{http_code}' http://127.0.0.1:8300/) && rc=0 || rc=$?
                  if [[ $rc == 0 && $code == 200 ]]; then ok=$((ok + 1))
                  elif [[ $rc == 7 ]]; then refused=$((refused + 1))
                  else other=$((other + 1)); echo "curl exit $rc, HTTP $code" >&2; fi
                done
                echo "$ok $refused $other"
                """;
        CompletableFuture<Container.Result> load = CompletableFuture.supplyAsync(() -> {
            try {
                return container.exec(Duration.ofSeconds(180), "bash", "-c", client);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> mainPids = new ArrayList<>(List.of(container.property("busy.service", "MainPID")));
        try {
            for (int i = 0; i < RESTARTS; i++) {
                Thread.sleep(1500);
                container.ok("systemctl restart busy.service");
                mainPids.add(container.property("busy.service", "MainPID"));
            }
            Thread.sleep(1000);
        } finally { // the client stops even when a restart fails
            container.write("/run/restarts-done", "");
            load.exceptionally(e -> null).join();
        }
        Container.Result result = load.get();
        assertEquals(0, result.exitCode(), result.toString());
        String[] counts = result.stdout().strip().split(" ");
        int ok = Integer.parseInt(counts[0]);
        int refused = Integer.parseInt(counts[1]);
        int other = Integer.parseInt(counts[2]);
        System.out.printf("restart under load: %d restarts, %d requests answered, %d refused, %d cut off%n", RESTARTS, ok, refused, other);

        assertEquals(RESTARTS + 1, new HashSet<>(mainPids).size(), "each restart started a new bandaid: " + mainPids);
        assertEquals(0, refused, "connections refused while restarting:\n" + result + "\n" + container.journal("busy.service"));
        assertTrue(other <= RESTARTS, "more requests cut off than restarts:\n" + result);
        assertTrue(ok >= RESTARTS, "the service hardly answered:\n" + result + "\n" + container.journal("busy.service"));
        assertEquals(200, container.get("http://127.0.0.1:8300/").status());
    }
}
