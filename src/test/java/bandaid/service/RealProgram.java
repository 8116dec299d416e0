package bandaid.service;

import bandaid.NotHere;
import bandaid.nativeaccess.CallerSockets;
import bandaid.nativeaccess.Fds;
import bandaid.nativeaccess.SeccompListener;
import bandaid.nativeaccess.Sockets;
import bandaid.nativeaccess.TrapPlan;
import bandaid.socket.PassedSocket;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Real programs under bandaid's real filter, started in the test's own JVM, so that a test can
 * put its own parts (a slow look, a failing matcher, a closed listener) into the call path.
 */
public final class RealProgram {
    public static final String PYTHON = "/usr/bin/python3";

    private RealProgram() {
    }

    /**
     * A listening TCP socket on 127.0.0.1 with a duplicate in this JVM, as systemd would pass it.
     * A python of its own makes it and is gone once the duplicate is taken, so no child of the
     * test is left but the programs it starts.
     */
    public record Passed(PassedSocket socket, int port) implements AutoCloseable {
        public static Passed listening(String name) throws IOException, InterruptedException {
            Process holder = new ProcessBuilder(PYTHON, "-c", "import socket, sys\ns = socket.socket()\n"
                    + "s.bind(('127.0.0.1', 0))\ns.listen()\nprint(s.fileno(), s.getsockname()[1], flush=True)\nsys.stdin.read()")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8))) {
                String[] said = out.readLine().split(" ");
                NotHere.skipUnlessDuplicates("the tests that take a passed socket from a python of their own (pidfd_getfd)");
                int fd = CallerSockets.duplicate((int) holder.pid(), Integer.parseInt(said[0])).orElseThrow();
                return new Passed(new PassedSocket(fd, name, Sockets.describe(fd), Optional.empty()), Integer.parseInt(said[1]));
            } finally {
                holder.getOutputStream().close();
                holder.waitFor();
            }
        }

        @Override
        public void close() {
            Fds.close(socket.fd(), "the test's passed socket");
        }
    }

    /**
     * {@code script} run by python under a filter that traps {@code plan}, with the path of a file
     * it may write to as its first argument.
     */
    public record Started(int pid, SeccompListener listener, Path said, ProgramLauncher.Launched launched) {
        public static Started python(String script, TrapPlan plan) throws Exception {
            Path said = Files.createTempFile("said", ".txt");
            ProgramLauncher.Launched launched = ProgramLauncher.launch(
                    List.of(bytes(PYTHON), bytes("-c"), bytes(script), bytes(said.toString())),
                    List.of(bytes("PATH=/usr/bin:/bin")), plan);
            return new Started(launched.pid(), launched.listener().orElseThrow(), said, launched);
        }

        /** What the program wrote so far, a line each. */
        public List<String> lines() throws IOException {
            return Files.readAllLines(said);
        }

        /** Waits until the program has written {@code count} lines or more. */
        public List<String> awaitLines(int count, Duration limit) throws Exception {
            long deadline = System.nanoTime() + limit.toNanos();
            while (lines().size() < count && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return lines();
        }
    }

    public static TrapPlan bindOnly() {
        return TrapPlan.bindOnly(true);
    }

    /** A python statement that writes {@code expression}'s value as a line of the file it was given. */
    public static String say(String expression) {
        return "open(sys.argv[1], 'a').write(str(" + expression + ") + '\\n')";
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
