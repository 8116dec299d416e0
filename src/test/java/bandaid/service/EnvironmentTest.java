package bandaid.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The program's environment from what the launcher passed bandaid's JVM (scripts/lib/launch.sh):
 * the launcher's own variables out, the entries it carried past the JVM back as they were, in
 * their place.
 */
class EnvironmentTest {
    private static Environment jvmGot(String... entries) {
        List<byte[]> raw = java.util.Arrays.stream(entries).map(e -> e.getBytes(StandardCharsets.UTF_8)).toList();
        return new Environment(Map.of(), raw);
    }

    private static List<String> text(List<byte[]> entries) {
        return entries.stream().map(e -> new String(e, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void carriedEntriesComeBackInTheirPlace() {
        Environment env = jvmGot("PATH=/bin", "BANDAID_CARRIED_1=JAVA_TOOL_OPTIONS=-Xbogus", "A=1", "BANDAID_CARRIED_3=A=2",
                "BANDAID_CARRIED_4=no equals", "BANDAID_CARRIED_5=", "BANDAID_CARRIED_6=BANDAID_CARRIED_0=x",
                "BANDAID_LAUNCHER=/opt/bandaid/scripts/bandaid", "_JAVA_SR_SIGNUM=39", "BANDAID_SET_SR_SIGNUM=1");
        assertEquals(List.of("PATH=/bin", "JAVA_TOOL_OPTIONS=-Xbogus", "A=1", "A=2", "no equals", "", "BANDAID_CARRIED_0=x"),
                text(env.given(List.of("BANDAID_LAUNCHER", "_JAVA_SR_SIGNUM", "BANDAID_SET_SR_SIGNUM"))));
    }

    /** A variable of the launcher's own name that was given comes back: it was carried, the launcher's own goes. */
    @Test
    void aGivenValueOfALauncherVariableComesBack() {
        Environment env = jvmGot("BANDAID_CARRIED_0=_JAVA_SR_SIGNUM=12", "_JAVA_SR_SIGNUM=39", "BANDAID_SET_SR_SIGNUM=1");
        assertEquals(List.of("_JAVA_SR_SIGNUM=12"), text(env.given(List.of("_JAVA_SR_SIGNUM", "BANDAID_SET_SR_SIGNUM"))));
    }

    /** Only BANDAID_CARRIED_<digits>= is the launcher's form. */
    @Test
    void otherNamesAreLeftAsTheyAre() {
        Environment env = jvmGot("BANDAID_CARRIED_=x", "BANDAID_CARRIED_1a=y", "BANDAID_CARRIED_2", "BANDAID_CARRIEDX=z");
        assertEquals(List.of("BANDAID_CARRIED_=x", "BANDAID_CARRIED_1a=y", "BANDAID_CARRIED_2", "BANDAID_CARRIEDX=z"), text(env.given(List.of())));
    }

    @Test
    void theProgramGetsNoListenOrLauncherVariables() {
        Environment env = jvmGot("LISTEN_FDS=1", "BANDAID_CARRIED_1=LISTEN_PID=7", "HOME=/", "BANDAID_CLOSED_FD=4");
        assertEquals(List.of("HOME=/"), text(Request.programEnvironment(env, List.of())));
    }
}
