package bandaid.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Asks real servers one question each, for end-to-end tests. The first connection is what makes
 * systemd-socket-activate start bandaid, and the server takes a moment to start: each question is
 * retried until it is answered, bounded in attempts and in time.
 */
final class ServerProbe {
    /** How long a server may take from the first connection to its first answer. */
    static final Duration STARTUP = Timeouts.scaled(Duration.ofSeconds(20));
    private static final int MAX_ATTEMPTS = 100;
    private static final Duration PAUSE = Duration.ofMillis(100);

    private ServerProbe() {
    }

    /**
     * Sends {@code request} on a fresh TCP connection to {@code host:port} and reads until the
     * server has sent a line ending in CRLF (redis' and memcached's text protocols answer in one
     * line) or closes the connection.
     *
     * @return the first line, CRLF included
     */
    static String line(String host, int port, String request) throws InterruptedException {
        return retry(host + ":" + port + " " + request.strip(), () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) STARTUP.toMillis());
                // A connection made before the server accepts waits in the passed socket's
                // backlog: the read, not the connect, waits for the server to start.
                s.setSoTimeout((int) STARTUP.toMillis());
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String answer = readLine(s.getInputStream());
                if (answer.isEmpty()) {
                    throw new IOException("connection closed without an answer");
                }
                return answer;
            }
        });
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int previous = -1;
        for (int b; out.size() < 4096 && (b = in.read()) >= 0; previous = b) {
            out.write(b);
            if (previous == '\r' && b == '\n') {
                break;
            }
        }
        return out.toString(StandardCharsets.US_ASCII);
    }

    /** GET {@code url} with {@link Net#get}, retried while the server is not answering yet. */
    static HttpResponse<String> get(String url) throws InterruptedException {
        return retry("GET " + url, () -> Net.get(url));
    }

    @FunctionalInterface
    interface Question<T> {
        T ask() throws IOException, InterruptedException;
    }

    private static <T> T retry(String what, Question<T> question) throws InterruptedException {
        long deadline = System.nanoTime() + STARTUP.toNanos();
        List<String> failures = new ArrayList<>();
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            try {
                return question.ask();
            } catch (SocketTimeoutException e) {
                failures.add("timed out: " + e.getMessage());
            } catch (IOException e) {
                failures.add(e.toString());
            }
            if (System.nanoTime() + PAUSE.toNanos() > deadline) {
                break;
            }
            Thread.sleep(PAUSE);
        }
        throw new AssertionError(what + ": no answer within " + STARTUP + " (" + failures.size() + " attempts): "
                + failures.subList(Math.max(0, failures.size() - 3), failures.size()));
    }
}
