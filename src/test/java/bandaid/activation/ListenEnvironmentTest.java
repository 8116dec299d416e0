package bandaid.activation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import bandaid.BandaidException;
import bandaid.ExitCode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ListenEnvironmentTest {
    private static final long PID = 4242;

    private static Map<String, String> env(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return env;
    }

    private static ExitCode failure(Map<String, String> env) {
        return assertThrows(BandaidException.class, () -> ListenEnvironment.parse(env, PID)).exitCode();
    }

    @Test
    void noListenFdsIsAPlainRun() throws BandaidException {
        assertFalse(ListenEnvironment.parse(env(), PID).activated());
    }

    @Test
    void socketsStartAtFdThreeAndAreNamedUnknownWithoutNames() throws BandaidException {
        ListenEnvironment e = ListenEnvironment.parse(env("LISTEN_FDS", "2", "LISTEN_PID", "4242"), PID);
        assertEquals(2, e.count());
        assertEquals(List.of("unknown", "unknown"), e.names());
        assertEquals(3, e.fd(0));
        assertEquals(4, e.fd(1));
    }

    @Test
    void namesComeFromListenFdNames() throws BandaidException {
        ListenEnvironment e = ListenEnvironment.parse(env("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "http:https"), PID);
        assertEquals(List.of("http", "https"), e.names());
    }

    @Test
    void zeroSocketsIsNotActivated() throws BandaidException {
        assertFalse(ListenEnvironment.parse(env("LISTEN_FDS", "0", "LISTEN_PID", "4242", "LISTEN_FDNAMES", ""), PID).activated());
    }

    @Test
    void malformedListenFds() {
        assertEquals(ExitCode.DATAERR, failure(env("LISTEN_FDS", "", "LISTEN_PID", "4242")));
        assertEquals(ExitCode.DATAERR, failure(env("LISTEN_FDS", "two", "LISTEN_PID", "4242")));
        assertEquals(ExitCode.DATAERR, failure(env("LISTEN_FDS", "-1", "LISTEN_PID", "4242")));
    }

    @Test
    void missingOrMalformedListenPid() {
        assertEquals(ExitCode.DATAERR, failure(env("LISTEN_FDS", "1")));
        assertEquals(ExitCode.DATAERR, failure(env("LISTEN_FDS", "1", "LISTEN_PID", "me")));
    }

    @Test
    void listenPidOfAnotherProcess() {
        assertEquals(ExitCode.CONFIG, failure(env("LISTEN_FDS", "1", "LISTEN_PID", "1")));
    }

    @Test
    void namesMustMatchTheCount() {
        assertEquals(ExitCode.DATAERR, failure(env("LISTEN_FDS", "2", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "web")));
        assertEquals(ExitCode.DATAERR, failure(env("LISTEN_FDS", "1", "LISTEN_PID", "4242", "LISTEN_FDNAMES", "a:b")));
    }
}
