package bandaid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The JVM options in a unit's environment are the wrapped program's, not bandaid's: bandaid's own
 * JVM never reads JAVA_TOOL_OPTIONS, _JAVA_OPTIONS or JDK_JAVA_OPTIONS (nor ld.so's LD_*), and the
 * program gets each unchanged (scripts/lib/launch.sh carries them past the JVM). (issue 23, item 1)
 */
class ProgramsJavaOptionsIT {
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    /**
     * A Java server with a debug agent on a port: bandaid's JVM took the port first, and the
     * server's JVM then failed to start ("bind failed: Address already in use").
     */
    @Test
    void aDebugAgentMeantForTheProgramListensInTheProgram() throws Exception {
        int port = Net.freePort();
        String options = "-agentlib:jdwp=transport=dt_socket,server=y,suspend=n,address=127.0.0.1:" + port;
        Bandaid.Run run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- " + JAVA + " -version",
                Map.of("JAVA_TOOL_OPTIONS", options));
        assertEquals(0, run.exitCode(), "the program's JVM could not start:\n" + run.stderr());
        assertEquals(List.of("Picked up JAVA_TOOL_OPTIONS: " + options),
                run.stderr().lines().filter(l -> l.startsWith("Picked up")).toList(), "only the program's JVM takes them up:\n" + run.stderr());
    }

    /**
     * Options bandaid's JVM would refuse (or its launcher: JDK_JAVA_OPTIONS) stopped bandaid from
     * starting at all. In both modes (the program beside bandaid, or handed to a broker).
     */
    @ParameterizedTest(name = "broker mode: {0}")
    @ValueSource(booleans = {false, true})
    void optionsBandaidsJvmWouldRefuseReachOnlyTheProgram(boolean brokerMode, @TempDir Path dir) throws Exception {
        Bandaid.assumeItPicksTheModeItself();
        Path out = dir.resolve("got");
        Map<String, String> given = Map.of("JAVA_TOOL_OPTIONS", "-XX:+NoSuchOption", "_JAVA_OPTIONS", "-Xbogus",
                "JDK_JAVA_OPTIONS", "--no-such-launcher-option", "_JAVA_LAUNCHER_DEBUG", "1", "LD_PRELOAD", "/nonexistent/for-the-program.so");
        Bandaid.Run run;
        try (LocalBroker broker = brokerMode ? LocalBroker.start() : null) {
            run = Bandaid.shell("exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" " + (brokerMode ? broker.option() : "--no-broker")
                    + " -- " + Bandaid.PYTHON + " " + Programs.program("dump-args.py") + " " + out, given);
        }
        assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
        // _JAVA_LAUNCHER_DEBUG made bandaid's java launcher print to stdout, which is the program's.
        assertEquals("", run.stdout(), "bandaid's JVM wrote to the program's stdout");
        List<String> environment = new ArrayList<>();
        for (String entry : new String(Files.readAllBytes(Path.of(out + ".environ")), StandardCharsets.UTF_8).split("\0")) {
            environment.add(entry);
        }
        given.forEach((name, value) -> assertTrue(environment.contains(name + "=" + value), name + " did not reach the program: " + environment));
    }

    /**
     * HotSpot's own files in the program's working directory (a Java server's .hotspotrc and
     * .hotspot_compiler), which is bandaid's too, made bandaid's JVM warn at every start that it
     * ignored them.
     */
    @Test
    void hotSpotFilesInTheProgramsDirectoryAreNotBandaids(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(".hotspotrc"), "+PrintVMOptions\n");
        Files.writeString(dir.resolve(".hotspot_compiler"), "exclude java/lang/Object <init>\n");
        Bandaid.Run run = Bandaid.shell("cd " + dir + " && exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- true");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("", run.stderr(), "bandaid's JVM wrote to stderr");
    }

    /**
     * _JAVA_OPTIONS=-XX:-DisableAttachMechanism, meant for a Java server, opened bandaid's attach
     * socket again (AttachIT): the program could load an agent into bandaid. And a library the unit
     * preloads for its program (LD_PRELOAD) was loaded into bandaid's JVM too.
     */
    @Test
    void theProgramsJavaOptionsDoNotReopenBandaidsAttachSocket() throws Exception {
        Bandaid.assumeWrapperMode("in broker mode no JVM of bandaid's stays to attach to");
        String program = Bandaid.PYTHON + " -c 'import signal; print(\"ready\", flush=True); signal.pause()'";
        try (Programs.Interactive run = new Programs.Interactive("export _JAVA_OPTIONS=-XX:-DisableAttachMechanism LD_PRELOAD=libutil.so.1;"
                + " exec " + Programs.PASS + " tcp:127.0.0.1:0 -- \"$BANDAID\" -- " + program)) {
            assertEquals("ready", run.line());
            long pid = run.process.pid();
            long child = run.process.children().findFirst().orElseThrow().pid();
            assertTrue(Files.readString(Path.of("/proc/" + child + "/maps")).contains("/libutil.so.1"), "the program has its LD_PRELOAD");
            assertTrue(!Files.readString(Path.of("/proc/" + pid + "/maps")).contains("/libutil.so.1"), "bandaid's JVM loaded the program's LD_PRELOAD");
            try (Stream<Path> tmp = Files.list(Path.of("/tmp"))) {
                List<Path> attach = tmp.filter(f -> f.getFileName().toString().equals(".java_pid" + pid)).toList();
                assertEquals(List.of(), attach, "bandaid's JVM opened its attach socket");
            }
            assertTrue(!run.stderr().contains("Picked up _JAVA_OPTIONS"), "bandaid's JVM took _JAVA_OPTIONS up:\n" + run.stderr());
        }
    }
}
