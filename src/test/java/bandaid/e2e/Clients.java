package bandaid.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Plain TCP, unix and UDP clients for end-to-end tests whose servers do not speak HTTP. */
final class Clients {
    private Clients() {
    }

    /** Connects to HOST:PORT and reads until the server closes; the connect may start the program. */
    static String readTcp(String host, int port, Duration wait) throws IOException {
        Duration timeout = Timeouts.scaled(wait);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            return readToEnd(s.getInputStream(), timeout);
        }
    }

    private static String readToEnd(InputStream in, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[4096];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            out.write(buffer, 0, n);
            if (System.nanoTime() > deadline) {
                throw new SocketTimeoutException("no end of stream within " + timeout + "; got " + out);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /**
     * Connects to the unix socket at PATH and reads until the server closes. A unix SocketChannel
     * has no read timeout, so the read runs in another thread and is cut off by closing the channel.
     */
    static String readUnix(Path path, Duration wait) throws IOException, InterruptedException {
        Duration timeout = Timeouts.scaled(wait);
        SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(path));
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<String> answer = reader.submit(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                ByteBuffer buffer = ByteBuffer.allocate(4096);
                while (channel.read(buffer.clear()) >= 0) {
                    out.write(buffer.array(), 0, buffer.position());
                }
                return out.toString(StandardCharsets.UTF_8);
            });
            return answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no end of stream from " + path + " within " + timeout);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } finally {
            channel.close();
            reader.shutdownNow();
            reader.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * Sends MESSAGE to HOST:PORT over UDP until a reply comes. UDP may lose a datagram, and the
     * first one only wakes systemd-socket-activate, so it is sent again every 200 ms; the
     * attempts are bounded by count and by {@code timeout}.
     */
    static String udpExchange(String host, int port, String message, Duration wait) throws IOException {
        Duration timeout = Timeouts.scaled(wait);
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            s.setSoTimeout(200);
            InetSocketAddress to = new InetSocketAddress(host, port);
            for (int attempt = 0; attempt < 500 && System.nanoTime() < deadline; attempt++) {
                s.send(new DatagramPacket(bytes, bytes.length, to));
                DatagramPacket reply = new DatagramPacket(new byte[65535], 65535);
                try {
                    s.receive(reply);
                    return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
                } catch (SocketTimeoutException again) {
                    // not up yet, or lost: send again
                }
            }
            throw new SocketTimeoutException("no UDP reply from " + to + " within " + timeout);
        }
    }
}
