package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bandaid.BandaidException;
import bandaid.ExitCode;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnitCommandTest {

    @Test
    void writesASocketAndServicePair() throws BandaidException {
        UnitCommand.Request r = UnitCommand.parse("web", "--listen", "127.0.0.1:8080", "--listen", "udp:[::1]:53", "--listen", "*:80",
                "--user", "nobody", "--", "python3", "-m", "http.server", "8080");
        assertEquals("""
                [Unit]
                Description=web sockets (passed to the program by bandaid)

                [Socket]
                ListenStream=127.0.0.1:8080
                ListenDatagram=[::1]:53
                ListenStream=80
                # bandaid hands over listening sockets, not connections.
                Accept=no

                [Install]
                WantedBy=sockets.target
                """, UnitCommand.socketUnit(r));
        assertEquals("""
                [Unit]
                Description=web (socket-activated through bandaid)
                Requires=web.socket
                After=web.socket

                [Service]
                ExecStart=/opt/bandaid/scripts/bandaid -- /usr/bin/python3 -m http.server 8080
                # bandaid passes HUP on to the program.
                ExecReload=/bin/kill -HUP $MAINPID
                User=nobody
                # bandaid installs a seccomp filter itself: any SystemCallFilter= must allow seccomp.
                SystemCallFilter=@system-service seccomp
                """, UnitCommand.serviceUnit(r, "/opt/bandaid/scripts/bandaid", "/usr/bin/python3"));
    }

    @Test
    void quotesWhatSystemdWouldOtherwiseSplitOrExpand() {
        assertEquals("\"hello world\"", UnitCommand.quote("hello world"));
        assertEquals("100%%", UnitCommand.quote("100%"));
        assertEquals("$$HOME", UnitCommand.quote("$HOME"));
        assertEquals("\"\"", UnitCommand.quote(""));
    }

    @Test
    void refusesWhatItCannotWrite() {
        for (List<String> bad : List.<List<String>>of(List.of(), List.of("--listen", "80"), List.of("web", "--", "true"),
                List.of("web", "--listen", "localhost:80", "--", "true"), List.of("web", "--listen", "80", "--frob", "x", "--", "true"),
                List.of("we b", "--listen", "80", "--", "true"))) {
            assertEquals(ExitCode.USAGE, assertThrows(BandaidException.class, () -> UnitCommand.parse(bad.toArray(String[]::new))).exitCode(), bad.toString());
        }
        assertEquals(ExitCode.USAGE, assertThrows(BandaidException.class, () -> UnitCommand.parse("web", "--listen", "80", "--")).exitCode());
    }
}
