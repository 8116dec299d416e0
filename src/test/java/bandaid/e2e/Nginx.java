package bandaid.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * nginx (Debian's nginx-light) as a master with two workers and two server blocks, configured from
 * servers/nginx/two-ports.conf, for end-to-end tests.
 */
final class Nginx {
    static final String BINARY = "/usr/sbin/nginx";

    /** One server block: what it listens on (nginx's {@code listen} syntax) and the body it returns. */
    record Block(String listen, String body) {
    }

    private Nginx() {
    }

    /**
     * Writes DIR/nginx.conf with the blocks in this order (nginx creates its listening sockets in
     * the order the ports first appear) and returns bandaid's arguments from {@code --} on.
     */
    static List<String> command(Path dir, Block first, Block second) throws IOException {
        Path conf = ServerConfigs.render("nginx/two-ports.conf", dir.resolve("nginx.conf"), Map.of(
                "DIR", dir.toString(),
                "LISTEN_FIRST", first.listen(), "BODY_FIRST", first.body(),
                "LISTEN_SECOND", second.listen(), "BODY_SECOND", second.body()));
        // -e stderr: the error log nginx opens before it reads the configuration (the build's is
        // /var/log/nginx/error.log); -p: the prefix, for anything the configuration leaves relative.
        return List.of("--", ServerConfigs.installed(BINARY, "nginx-light"),
                "-e", "stderr", "-p", dir + "/", "-c", conf.toString());
    }

    /** The master's worker processes, once it has {@code count} of them. */
    static List<ProcessHandle> workers(ProcessHandle master, int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<ProcessHandle> workers = new ArrayList<>();
        while (workers.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(20);
            workers = master.children().toList();
        }
        return workers;
    }
}
