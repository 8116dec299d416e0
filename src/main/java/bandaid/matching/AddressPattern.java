package bandaid.matching;

import bandaid.activation.Family;
import bandaid.activation.ListenAddress;
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

    /** @return empty when {@code text} is none of {@link #SYNTAX} */
    static Optional<AddressPattern> parse(String text) {
        if (text.startsWith("/")) {
            return Optional.of(new Exact(new ListenAddress.Unix(text, false)));
        }
        if (text.startsWith("@") && text.length() > 1) {
            return Optional.of(new Exact(new ListenAddress.Unix(text.substring(1), true)));
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
            if (host.startsWith("[") && host.endsWith("]")) {
                InetAddress a = InetAddress.ofLiteral(host.substring(1, host.length() - 1));
                if (a instanceof Inet6Address) {
                    return Optional.of(new Exact(new ListenAddress.Inet(Family.INET6, a.getAddress(), port.get())));
                }
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
