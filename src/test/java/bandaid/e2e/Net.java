package bandaid.e2e;

import java.io.IOException;
import java.net.DatagramSocket;
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

    /** A port that neither TCP nor UDP uses right now, on any address. */
    static int freePort() throws IOException {
        return freePorts(1);
    }

    /**
     * {@code count} consecutive ports that neither TCP nor UDP uses right now, on any address;
     * returns the first. The kernel picks where to start (an ephemeral port), so runs in
     * parallel do not try the same ones.
     */
    static int freePorts(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int base;
            try (ServerSocket s = new ServerSocket(0)) {
                base = s.getLocalPort();
            }
            if (base + count <= 65536 && allFree(base, count)) {
                return base;
            }
        }
        throw new IOException("no " + count + " consecutive free ports");
    }

    private static boolean allFree(int base, int count) {
        for (int port = base; port < base + count; port++) {
            try (ServerSocket tcp = new ServerSocket(port); DatagramSocket udp = new DatagramSocket(port)) {
                // both free
            } catch (IOException taken) {
                return false;
            }
        }
        return true;
    }

    /** GET {@code url}; the first connection is what makes systemd-socket-activate start bandaid. */
    static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Timeouts.scaled(Duration.ofSeconds(10))).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Timeouts.scaled(Duration.ofSeconds(20))).build();
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
