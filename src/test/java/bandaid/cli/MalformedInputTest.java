package bandaid.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import bandaid.ExitCode;
import bandaid.service.Environment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Many malformed LISTEN_* values and options, generated (not hand-listed), each run through the
 * whole CLI in-process: exactly one line on stderr starting "bandaid: ", a documented exit status,
 * nothing on stdout and never a stack trace. Each input is malformed by construction, so none of
 * them reaches a side effect (the test JVM's own fds are never looked at).
 */
class MalformedInputTest {
    private static final Set<Integer> DOCUMENTED = Arrays.stream(ExitCode.values()).map(ExitCode::code).collect(Collectors.toSet());
    private static final int CASES = 1500;
    private final Random random = new Random(12);

    /** Characters that break numbers, lines and encodings. */
    private static final String NOISE = "+- \t\n\r\0:=,./@[]*%$\\\"'é\u00ff\u2028\uffff0123456789xX";

    private String noise(int max) {
        StringBuilder s = new StringBuilder();
        int length = random.nextInt(max + 1);
        for (int i = 0; i < length; i++) {
            s.append(NOISE.charAt(random.nextInt(NOISE.length())));
        }
        return s.toString();
    }

    /** A LISTEN_FDS value that is not a plain count: not only digits, or more than a process can have. */
    private String badCount() {
        return switch (random.nextInt(6)) {
            case 0 -> "";
            case 1 -> (random.nextBoolean() ? "+" : "-") + random.nextInt(5);
            case 2 -> Long.toString(Math.abs(random.nextLong()) % 100_000_000_000L + 2_000_000L);
            case 3 -> "9".repeat(8 + random.nextInt(30));
            case 4 -> random.nextInt(10) + noise(4) + "x";
            default -> " " + random.nextInt(10);
        };
    }

    /** A LISTEN_PID value that is not a pid. */
    private String badPid() {
        return switch (random.nextInt(4)) {
            case 0 -> "";
            case 1 -> "+" + random.nextInt(100000);
            case 2 -> noise(6) + "q";
            default -> "9".repeat(20 + random.nextInt(10));
        };
    }

    private List<String> badOptions() {
        List<String> args = new ArrayList<>();
        switch (random.nextInt(8)) {
            case 0 -> args.add("--" + noise(5) + "bogus");
            case 1 -> args.addAll(List.of(pick("--match", "--map", "--exit-idle-time"), "--"));
            case 2 -> args.add(pick("--match", "--map", "--exit-idle-time"));
            case 3 -> args.add("--match=" + noise(6) + "q");
            case 4 -> args.add("--map=" + noise(8) + (random.nextBoolean() ? "" : "=x") + "/" + "y".repeat(120));
            case 5 -> args.add("--exit-idle-time=" + pick("", "-1s", "5 parsecs", "99999999999999999999", "1.2.3s", noise(5) + "q"));
            case 6 -> args.addAll(List.of("--match=socket", "--map=web=80"));
            default -> args.add("-" + noise(3) + "Z");
        }
        if (random.nextBoolean()) {
            args.add(0, "-v");
        }
        args.addAll(List.of("--", "/nonexistent/never-run"));
        return args;
    }

    private String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    @Test
    void malformedListenVariablesAndOptionsGetOneLineAndADocumentedStatus() {
        for (int i = 0; i < CASES; i++) {
            Map<String, String> env = new HashMap<>();
            List<String> args;
            switch (i % 3) {
                case 0 -> {
                    env.put("LISTEN_FDS", badCount());
                    env.put("LISTEN_PID", Long.toString(ProcessHandle.current().pid()));
                    args = List.of("--", "/nonexistent/never-run");
                }
                case 1 -> {
                    env.put("LISTEN_FDS", Integer.toString(1 + random.nextInt(3)));
                    env.put("LISTEN_PID", badPid());
                    args = List.of("/nonexistent/never-run");
                }
                default -> args = badOptions();
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int status = Main.run(Environment.of(env), new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8), args.toArray(String[]::new));
            String said = err.toString(StandardCharsets.UTF_8);
            String input = env + " " + args;
            assertTrue(DOCUMENTED.contains(status), "status " + status + " for " + input + ": " + said);
            assertTrue(status == 64 || status == 65, "a malformed input is USAGE or DATAERR, not " + status + ": " + input + ": " + said);
            assertEquals(1, said.lines().count(), input + ": " + said);
            assertTrue(said.startsWith("bandaid: "), input + ": " + said);
            assertFalse(said.contains("Exception") || said.contains("\tat ") || said.contains("internal error"), input + ": " + said);
            assertEquals("", out.toString(StandardCharsets.UTF_8), input);
        }
    }
}
