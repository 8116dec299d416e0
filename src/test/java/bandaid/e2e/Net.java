package bandaid.e2e;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Ports, requests and the sockets a process holds, for end-to-end tests. */
final class Net {
    private Net() {
    }

    /**
     * Skips the test unless ::1 can be bound and [::] sockets are dual-stack by default
     * (net.ipv6.bindv6only=0, as BindIPv6Only=default and systemd-socket-activate's [::] rely on).
     */
    static void assumeDualStackLoopback() throws IOException {
        Path bindv6only = Path.of("/proc/sys/net/ipv6/bindv6only");
        Assumptions.assumeTrue(Files.exists(bindv6only) && Files.readString(bindv6only).strip().equals("0"),
                "[::] sockets are dual-stack only with net.ipv6.bindv6only=0");
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("::1"))) {
            // ::1 is configured
        } catch (IOException e) {
            Assumptions.assumeTrue(false, "no IPv6 loopback: " + e);
        }
    }

    /** A TCP port nobody listens on right now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** GET {@code url}; the first connection is what makes systemd-socket-activate start bandaid. */
    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The link target of /proc/PID/fd/FD, e.g. {@code socket:[12345]}. */
    static String fdTarget(long pid, int fd) throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + fd)).toString();
    }

    /** The socket inodes a process holds, as {@code socket:[N]}. */
    static Set<String> sockets(long pid) throws IOException {
        Set<String> result = new HashSet<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:")) {
                        result.add(target);
                    }
                } catch (IOException gone) {
                    // closed while we looked
                }
            }
        }
        return result;
    }
}
