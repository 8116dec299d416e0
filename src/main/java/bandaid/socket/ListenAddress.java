package bandaid.socket;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The address a socket is bound to, or that a program asks bind(2) for, in a form the matching
 * logic can compare without touching native memory.
 */
public sealed interface ListenAddress {

    Family family();

    /**
     * An address a program binds only to get some local address: port 0 (the kernel picks one,
     * ip(7)) or an unnamed unix socket (autobind, unix(7)). Clients do this; such a bind never
     * listens where a socket unit could, so it never gets a passed socket. A family bandaid does
     * not read counts as one too.
     */
    boolean isEphemeral();

    /** An IPv4 or IPv6 address and port; {@code address} holds 4 or 16 bytes in network order. */
    record Inet(Family family, byte[] address, int port) implements ListenAddress {
        public Inet {
            address = address.clone();
            if (!(family == Family.INET && address.length == 4 || family == Family.INET6 && address.length == 16)) {
                throw new IllegalArgumentException(family + " address of " + address.length + " bytes");
            }
        }

        @Override
        public byte[] address() {
            return address.clone();
        }

        /** Port 0: the kernel picks a free port (ip(7)). */
        @Override
        public boolean isEphemeral() {
            return port == 0;
        }

        /** 0.0.0.0 or [::]: any local address (ip(7), ipv6(7)). */
        public boolean isWildcard() {
            for (byte b : address) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Inet other && family == other.family && port == other.port
                    && Arrays.equals(address, other.address);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * family.hashCode() + Arrays.hashCode(address)) + port;
        }

        @Override
        public String toString() {
            String host;
            try {
                host = InetAddress.getByAddress(address).getHostAddress();
            } catch (UnknownHostException e) {
                throw new AssertionError("4 or 16 bytes are always an address", e);
            }
            if (family == Family.INET6 && host.indexOf(':') < 0) {
                return "[::ffff:" + host + "]:" + port; // an IPv4-mapped address, which InetAddress shows as IPv4
            }
            return family == Family.INET6 ? "[" + compress(host) + "]:" + port : host + ":" + port;
        }

        /** InetAddress prints 0:0:0:0:0:0:0:1; people write ::1. */
        private static String compress(String host) {
            String padded = ":" + host + ":";
            String best = null;
            for (int zeros = 8; zeros >= 2 && best == null; zeros--) {
                String run = ":" + "0:".repeat(zeros);
                int at = padded.indexOf(run);
                if (at >= 0) {
                    best = padded.substring(0, at) + "::" + padded.substring(at + run.length());
                }
            }
            String result = best == null ? padded : best;
            if (result.startsWith(":") && !result.startsWith("::")) {
                result = result.substring(1);
            }
            if (result.endsWith(":") && !result.endsWith("::")) {
                result = result.substring(0, result.length() - 1);
            }
            return result;
        }
    }

    /**
     * A unix socket address (unix(7)): a filesystem path, an abstract name (first byte NUL on the
     * wire, shown as {@code @name} the way ss(8) and systemd do), or unnamed. The name is kept as
     * the bytes the kernel compares: names need not be UTF-8, and decoding them would make
     * distinct names (@\xfe and @\xff) equal.
     *
     * @param name the path or the abstract name without its leading NUL; empty: unnamed
     */
    record Unix(byte[] name, boolean isAbstract) implements ListenAddress {
        public Unix {
            name = name.clone();
        }

        /** A name as a user writes it (UTF-8). */
        public Unix(String name, boolean isAbstract) {
            this(name.getBytes(StandardCharsets.UTF_8), isAbstract);
        }

        @Override
        public byte[] name() {
            return name.clone();
        }

        @Override
        public Family family() {
            return Family.UNIX;
        }

        /** Unnamed: bound by autobind, or not at all (unix(7)). */
        public boolean isUnnamed() {
            return name.length == 0 && !isAbstract;
        }

        /** Unnamed: the kernel autobinds an abstract name (unix(7)). */
        @Override
        public boolean isEphemeral() {
            return isUnnamed();
        }

        /** A path in the file system (not abstract, not unnamed). */
        public boolean isPath() {
            return !isAbstract && name.length > 0;
        }

        public boolean isRelativePath() {
            return isPath() && name[0] != '/';
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unix other && isAbstract == other.isAbstract && Arrays.equals(name, other.name);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(name) + Boolean.hashCode(isAbstract);
        }

        /** For messages only: bytes that are not UTF-8 show as \xNN. */
        @Override
        public String toString() {
            if (isUnnamed()) {
                return "(unnamed)";
            }
            return (isAbstract ? "@" : "") + Bytes.printable(name);
        }
    }

    /** A family bandaid does not read (netlink, vsock, ...): matched by family and type only. */
    record Unsupported(Family family, int familyNumber) implements ListenAddress {
        @Override
        public boolean isEphemeral() {
            return true;
        }

        @Override
        public String toString() {
            return "family " + familyNumber;
        }
    }
}
