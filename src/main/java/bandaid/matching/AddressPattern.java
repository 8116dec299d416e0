package bandaid.matching;

import bandaid.socket.Family;
import bandaid.socket.ListenAddress;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;

/** An address as a user writes it in {@code --map NAME=ADDRESS}. */
public sealed interface AddressPattern {

    boolean matches(ListenAddress address);

    /** One exact address: {@code 127.0.0.1:80}, {@code [::1]:80}, {@code /run/app.sock}, {@code @name}. */
    record Exact(ListenAddress address) implements AddressPattern {
        @Override
        public boolean matches(ListenAddress other) {
            return Addresses.sameAddress(address, other);
        }

        @Override
        public String toString() {
            return address.toString();
        }
    }

    /** Any IPv4 or IPv6 address with this port: {@code *:80} or {@code 80}. */
    record AnyHost(int port) implements AddressPattern {
        @Override
        public boolean matches(ListenAddress other) {
            return other instanceof ListenAddress.Inet inet && inet.port() == port;
        }

        @Override
        public String toString() {
            return "*:" + port;
        }
    }

    String SYNTAX = "HOST:PORT, [IPV6]:PORT, *:PORT, PORT, /path or @abstract";

    /** The longest unix socket name, in bytes: sizeof(sun_path) less one NUL. */
    int MAX_UNIX_NAME = 107;

    /** @return empty when {@code text} is none of {@link #SYNTAX} */
    static Optional<AddressPattern> parse(String text) {
        if (text.startsWith("/") || text.startsWith("@") && text.length() > 1) {
            ListenAddress.Unix unix = text.startsWith("/") ? new ListenAddress.Unix(text, false)
                    : new ListenAddress.Unix(text.substring(1), true);
            // unix(7): sun_path holds 108 bytes, a path's terminating NUL or an abstract name's
            // leading one among them: a longer name can never be bound, so never matched.
            return unix.name().length > MAX_UNIX_NAME ? Optional.empty() : Optional.of(new Exact(unix));
        }
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "*" : text.substring(0, colon);
        Optional<Integer> port = port(colon < 0 ? text : text.substring(colon + 1));
        if (port.isEmpty()) {
            return Optional.empty();
        }
        if (host.equals("*") || host.isEmpty()) {
            return Optional.of(new AnyHost(port.get()));
        }
        try {
            if (host.startsWith("[") && host.endsWith("]") && host.contains(":")) {
                InetAddress a = InetAddress.ofLiteral(host.substring(1, host.length() - 1));
                // [::ffff:a.b.c.d] comes back as an Inet4Address: the same address to the matcher.
                Family family = a instanceof Inet6Address ? Family.INET6 : Family.INET;
                return Optional.of(new Exact(new ListenAddress.Inet(family, a.getAddress(), port.get())));
            }
            if (host.startsWith("[")) {
                return Optional.empty();
            }
            InetAddress a = InetAddress.ofLiteral(host);
            return a instanceof Inet4Address
                    ? Optional.of(new Exact(new ListenAddress.Inet(Family.INET, a.getAddress(), port.get())))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static Optional<Integer> port(String text) {
        try {
            int port = Integer.parseInt(text);
            return port > 0 && port <= 65535 ? Optional.of(port) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
