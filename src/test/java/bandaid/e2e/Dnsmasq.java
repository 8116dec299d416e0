package bandaid.e2e;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** dnsmasq as the matrix runs it: a DNS server only (no DHCP, no upstream), answering one name itself. */
final class Dnsmasq {
    static final String BINARY = "/usr/sbin/dnsmasq";
    static final String NAME = "test.example";
    static final String ADDRESS = "10.1.2.3";

    private Dnsmasq() {
    }

    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(Path.of(BINARY)), BINARY + " is not installed (apt-get install dnsmasq-base)");
    }

    /** bandaid's arguments that run dnsmasq in the foreground on {@code port}, logging to stderr. */
    static List<String> bandaidArgs(int port, String... mode) {
        List<String> args = new ArrayList<>(List.of("-v", "--", BINARY, "--keep-in-foreground", "--port=" + port,
                "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file=", "--log-facility=-",
                "--address=/" + NAME + "/" + ADDRESS));
        args.addAll(List.of(mode));
        return args;
    }
}
