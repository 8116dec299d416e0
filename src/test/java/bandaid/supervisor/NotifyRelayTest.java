package bandaid.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import bandaid.socket.ListenAddress;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What bandaid passes on of the program's sd_notify messages, and where to. */
class NotifyRelayTest {
    @Test
    void everyLineIsPassedOnButMainPidAndTheFdStore() {
        assertEquals(new NotifyRelay.Relayed(Optional.of("READY=1\nSTATUS=serving"), false, false),
                NotifyRelay.relayed("READY=1\nSTATUS=serving\n"));
        assertEquals(new NotifyRelay.Relayed(Optional.of("READY=1"), false, true), NotifyRelay.relayed("MAINPID=4321\nREADY=1"));
        assertEquals(new NotifyRelay.Relayed(Optional.empty(), false, true), NotifyRelay.relayed("MAINPID=4321"));
        assertEquals(new NotifyRelay.Relayed(Optional.empty(), true, false), NotifyRelay.relayed("FDSTORE=1\nFDNAME=cache"));
        assertEquals(new NotifyRelay.Relayed(Optional.of("STATUS=kept"), true, false),
                NotifyRelay.relayed("FDSTOREREMOVE=1\nFDNAME=cache\nSTATUS=kept"));
        for (String kept : new String[] {"RELOADING=1", "STOPPING=1", "WATCHDOG=1", "WATCHDOG=trigger", "WATCHDOG_USEC=5000000",
                "EXTEND_TIMEOUT_USEC=10000000", "ERRNO=2", "BARRIER=1", "X_CUSTOM=yes"}) {
            assertEquals(Optional.of(kept), NotifyRelay.relayed(kept).text(), kept);
        }
    }

    @Test
    void notifySocketIsAPathOrAnAbstractName() {
        assertEquals(Optional.of(new ListenAddress.Unix("/run/systemd/notify", false)), NotifyRelay.target("/run/systemd/notify"));
        assertEquals(Optional.of(new ListenAddress.Unix("host-notify", true)), NotifyRelay.target("@host-notify"));
        assertEquals(Optional.empty(), NotifyRelay.target("vsock:2:1234"));
        assertEquals(Optional.empty(), NotifyRelay.target("@"));
        assertEquals(Optional.empty(), NotifyRelay.target("relative/path"));
    }
}
