package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The README's first command: python's http.server answers on the socket systemd passed. */
class PythonHttpServerIT {

    @Test
    void servesOnThePassedSocket() throws Exception {
        int port = Net.freePort();
        try (Bandaid.Activated a = Bandaid.Activated.start(List.of("-l", "127.0.0.1:" + port),
                List.of("--", Bandaid.PYTHON, "-m", "http.server", Integer.toString(port), "--bind", "127.0.0.1"))) {
            HttpResponse<String> response = Net.get("http://127.0.0.1:" + port + "/");
            assertEquals(200, response.statusCode(), a.log());
            assertTrue(response.body().contains("Directory listing"), response.body());

            // The passed socket is fd 3 in bandaid; python must hold that very socket (same inode),
            // not one of its own that happens to listen on the same port.
            String passed = a.passedSocket(3);
            ProcessHandle python = a.program(Duration.ofSeconds(5));
            a.assertServedOnPassed(python.pid(), 3);
        }
    }

    @Test
    void runsWithoutFilterWhenNotActivated() throws Exception {
        Bandaid.Run run = Bandaid.shell("exec \"$BANDAID\" -- " + Bandaid.PYTHON + " -c 'print(\"hello\")'");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("hello\n", run.stdout());
        assertEquals(List.of("bandaid: INFO: LISTEN_FDS is not set: running " + Bandaid.PYTHON + " without socket activation"),
                run.bandaidLines());
    }
}
