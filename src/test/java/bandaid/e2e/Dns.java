package bandaid.e2e;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assertions;

/**
 * Asks a DNS server for one name's A record over UDP or TCP (RFC 1035 4.1, 4.2.2), for the DNS
 * servers of the matrix: no dig, no resolver library, nothing but the packet.
 */
final class Dns {
    private static final int TYPE_A = 1;
    private static final int CLASS_IN = 1;

    private Dns() {
    }

    /**
     * The first A record of {@code name} from {@code server:port}, asked again until answered
     * within {@link ServerProbe#STARTUP} (the server may still be starting; UDP may lose a
     * datagram).
     */
    static String a(String server, int port, String name, boolean tcp) throws InterruptedException {
        long deadline = System.nanoTime() + ServerProbe.STARTUP.toNanos();
        IOException last = null;
        for (int attempt = 0; attempt < 100 && System.nanoTime() < deadline; attempt++) {
            try {
                return ask(server, port, name, tcp, Duration.ofMillis(500));
            } catch (IOException e) {
                last = e;
                Thread.sleep(100);
            }
        }
        throw new AssertionError((tcp ? "TCP" : "UDP") + " query for " + name + " to " + server + ":" + port
                + ": no answer within " + ServerProbe.STARTUP + " (" + last + ")");
    }

    /** Asserts that {@code name} is {@code address} over UDP and TCP, on 127.0.0.1 and on ::1. */
    static void answersOnBothFamilies(Bandaid.Activated a, int port, String name, String address) throws Exception {
        for (String server : List.of("127.0.0.1", "::1")) {
            for (boolean tcp : List.of(false, true)) {
                Assertions.assertEquals(address, a(server, port, name, tcp), a.log());
            }
        }
    }

    /** One query, one answer or an IOException (a timeout among them). */
    static String ask(String server, int port, String name, boolean tcp, Duration timeout) throws IOException {
        int id = ThreadLocalRandom.current().nextInt(0x10000);
        byte[] query = query(id, name);
        byte[] reply;
        InetSocketAddress to = new InetSocketAddress(server, port);
        if (tcp) {
            try (Socket s = new Socket()) {
                s.connect(to, (int) timeout.toMillis());
                s.setSoTimeout((int) timeout.toMillis());
                s.getOutputStream().write(ByteBuffer.allocate(2 + query.length).putShort((short) query.length).put(query).array());
                DataInputStream in = new DataInputStream(s.getInputStream());
                reply = new byte[in.readUnsignedShort()];
                in.readFully(reply);
            }
        } else {
            try (DatagramSocket s = new DatagramSocket()) {
                s.setSoTimeout((int) timeout.toMillis());
                s.send(new DatagramPacket(query, query.length, to));
                DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
                s.receive(packet);
                reply = Arrays.copyOf(packet.getData(), packet.getLength());
            }
        }
        return firstA(reply, id);
    }

    private static byte[] query(int id, String name) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        // header: id, flags RD, one question, no answer, authority or additional records
        out.writeBytes(new byte[] {(byte) (id >> 8), (byte) id, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0});
        for (String label : name.split("\\.")) {
            out.write(label.length());
            out.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes(new byte[] {0, 0, TYPE_A, 0, CLASS_IN});
        return out.toByteArray();
    }

    /** The first A record's address, dotted; an IOException for anything else. */
    private static String firstA(byte[] reply, int id) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(reply);
        if (reply.length < 12 || (b.getShort(0) & 0xffff) != id) {
            throw new IOException("not the answer to query " + id + ": " + reply.length + " bytes");
        }
        int rcode = b.get(3) & 0xf;
        int questions = b.getShort(4) & 0xffff;
        int answers = b.getShort(6) & 0xffff;
        if (rcode != 0) {
            throw new IOException("rcode " + rcode);
        }
        b.position(12);
        for (int i = 0; i < questions; i++) {
            skipName(b);
            b.position(b.position() + 4);
        }
        for (int i = 0; i < answers; i++) {
            skipName(b);
            int type = b.getShort() & 0xffff;
            b.position(b.position() + 6); // class, TTL
            int length = b.getShort() & 0xffff;
            if (type == TYPE_A && length == 4) {
                return (b.get() & 0xff) + "." + (b.get() & 0xff) + "." + (b.get() & 0xff) + "." + (b.get() & 0xff);
            }
            b.position(b.position() + length);
        }
        throw new IOException("no A record among " + answers + " answers");
    }

    private static void skipName(ByteBuffer b) {
        for (int length; (length = b.get() & 0xff) != 0; ) {
            if ((length & 0xc0) == 0xc0) { // a pointer ends the name
                b.get();
                return;
            }
            b.position(b.position() + length);
        }
    }
}
