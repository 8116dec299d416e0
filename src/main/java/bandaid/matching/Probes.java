package bandaid.matching;

import bandaid.socket.Family;
import bandaid.socket.FileId;
import bandaid.socket.ListenAddress;
import bandaid.socket.PassedSocket;
import bandaid.socket.SocketType;
import java.util.Arrays;
import java.util.Optional;

/**
 * Which passed socket a program's connect() would reach, for the check some servers make before
 * they bind (mariadbd, pgbouncer: "is another copy of me listening there?"). Pure: the caller's
 * socket and the file a path names come from the closer look.
 */
final class Probes {
    private Probes() {
    }

    /**
     * Whether a connect() to {@code to} could reach {@code passed}, from the address alone. A
     * unix path may name the passed socket's file under another spelling (/var/run for /run, a
     * symlinked directory, "..", a relative path), each of which keeps the file's own name: a
     * path that ends in the same name is looked at, any other is not (a program's connects to
     * other unix sockets stay on the reader thread). Connecting to a datagram inet socket reaches
     * no listener: UDP's connect() only sets the peer.
     */
    static boolean mayReach(PassedSocket passed, ListenAddress to) {
        if (passed.type() == SocketType.DGRAM && passed.address() instanceof ListenAddress.Inet) {
            return false;
        }
        if (passed.address() instanceof ListenAddress.Unix p && to instanceof ListenAddress.Unix u) {
            return p.equals(u) || p.isPath() && u.isPath() && passed.file().isPresent() && Arrays.equals(lastName(p), lastName(u));
        }
        return reachesInet(passed, to);
    }

    /** The last name of a path, its bytes after the last '/'. */
    private static byte[] lastName(ListenAddress.Unix path) {
        byte[] name = path.name();
        int slash = name.length - 1;
        while (slash >= 0 && name[slash] != '/') {
            slash--;
        }
        return Arrays.copyOfRange(name, slash + 1, name.length);
    }

    /**
     * Whether a connect() to {@code to} reaches {@code passed}: a unix path that names its file
     * ({@code file}, as the caller sees the path), the same abstract name, or an inet address the
     * kernel would deliver to it.
     */
    static boolean reaches(PassedSocket passed, ListenAddress to, Optional<FileId> file) {
        if (passed.address() instanceof ListenAddress.Unix p && to instanceof ListenAddress.Unix u) {
            return passed.file().isPresent() && u.isPath() ? passed.file().equals(file) : p.equals(u);
        }
        return mayReach(passed, to);
    }

    /**
     * An inet connect() reaches a listener of its port bound to that very address, or to the
     * wildcard when it goes to the loopback or the wildcard itself (which Linux connects to the
     * local host); an IPv4 one (or ::ffff:a.b.c.d) reaches a [::] listener only when that is
     * dual-stack (ipv6(7)). A connect to another address of this host on a wildcard port also
     * reaches it, but which addresses are local is not known from the address alone: those are
     * left to the kernel.
     */
    private static boolean reachesInet(PassedSocket passed, ListenAddress to) {
        if (!(passed.address() instanceof ListenAddress.Inet p) || !(to instanceof ListenAddress.Inet t) || p.port() != t.port()) {
            return false;
        }
        if (Addresses.sameAddress(p, t)) {
            return true;
        }
        if (!p.isWildcard() || !(t.isWildcard() || isLoopback(t))) {
            return false;
        }
        boolean ipv4 = t.family() == Family.INET || Addresses.isV4Mapped(t);
        return p.family() == Family.INET ? ipv4 : !ipv4 || !passed.v6Only();
    }

    /** 127.0.0.0/8, ::1, or ::ffff:127.x.y.z. */
    private static boolean isLoopback(ListenAddress.Inet a) {
        byte[] b = a.address();
        if (a.family() == Family.INET) {
            return b[0] == 127;
        }
        if (Addresses.isV4Mapped(a)) {
            return b[12] == 127;
        }
        for (int i = 0; i < 15; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[15] == 1;
    }

    /**
     * What to tell the user when the program listens on {@code address}, which no passed socket
     * has: it is served outside socket activation, and which line would pass it.
     */
    static String listensUnpassed(ListenAddress address, SocketType type) {
        return "listens on " + address + " (" + kind(address, type) + "), which no passed socket has: systemd does not hold it, and"
                + " clients there reach the program only while it runs; to have it passed, add " + UnitLines.directive(type) + "="
                + address;
    }

    private static String kind(ListenAddress address, SocketType type) {
        if (address instanceof ListenAddress.Unix) {
            return "unix " + (type == SocketType.DGRAM ? "datagram" : type == SocketType.SEQPACKET ? "seqpacket" : "stream");
        }
        return type == SocketType.DGRAM ? "UDP" : type == SocketType.SEQPACKET ? "SCTP" : "TCP";
    }
}
