package bandaid.cli;

import bandaid.ExitCode;
import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterDescription;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The --help of each command, on stdout: usage, the options in the order a reader needs them
 * (from their declarations in {@link Options} and {@link UnitOptions}, so that they cannot drift
 * apart), and for the main command the exit statuses and a pointer to the man page. Lines stay
 * within 100 columns and carry no trailing spaces.
 */
final class Help {
    static final String USAGE = "bandaid [OPTIONS] [--] PROGRAM [ARGS...]";
    static final String INSPECT_USAGE = "bandaid inspect [[--] PROGRAM [ARGS...]]";
    static final String UNIT_USAGE = "bandaid unit NAME[@] (--listen ADDRESS... | --learn) [--user USER] [--harden] [--private-network]"
            + " [--write DIR [--force]] [BANDAID-OPTIONS] -- PROGRAM [ARGS...]";

    private static final int WIDTH = 100;
    private static final int TEXT_COLUMN = 26;
    private static final String BOOLEANS = "An option that is on or off also takes =yes or =no (true, false, on, off, 1, 0); the last of a"
            + " repeated option counts.";

    private Help() {
    }

    static String main() {
        StringBuilder s = new StringBuilder();
        s.append("Usage: ").append(USAGE).append('\n');
        s.append("       ").append(INSPECT_USAGE).append('\n');
        s.append("       ").append(UNIT_USAGE).append("\n\n");
        s.append("Runs PROGRAM on the sockets systemd passed (LISTEN_FDS), without the program knowing.\n");
        s.append("bandaid inspect, in place of a program, lists what was passed; given PROGRAM, also what each of its\n"
                + "sockets would get (it runs PROGRAM once in a network namespace of its own, as root).\n\nOptions:\n");
        options(s, new Options(), "");
        s.append('\n');
        wrapped(s, "", BOOLEANS);
        s.append("\nExit status: the program's; or, before or around it, one of bandaid's own:\n");
        for (ExitCode code : ExitCode.values()) {
            // The sysexits name systemctl status shows beside the number (not for 126 and 127).
            String name = code.code() < 100 ? " " + code.name() : "";
            item(s, String.format("  %3d%s", code.code(), name), code.meaning());
        }
        s.append("\nSee bandaid(1) for the matching rules, units and examples.\n");
        return s.toString();
    }

    static String unit() {
        StringBuilder s = new StringBuilder();
        s.append("Usage: bandaid unit NAME[@] (--listen ADDRESS... | --learn) [OPTIONS] [BANDAID-OPTIONS] -- PROGRAM [ARGS...]\n\n");
        wrapped(s, "", "Prints a NAME.service and the socket units that pass it its sockets: NAME.socket, or with several named"
                + " sockets one NAME-FDNAME.socket each (a socket unit passes all its sockets under one name). NAME@ makes templates"
                + " (systemctl start NAME@INSTANCE.socket; %i in an ADDRESS or an argument is the instance).");
        s.append("\nOptions:\n");
        options(s, new UnitOptions(), "BANDAID-OPTIONS, bandaid's own, go into ExecStart=:");
        s.append('\n');
        wrapped(s, "", BOOLEANS);
        return s.toString();
    }

    static String broker() {
        StringBuilder s = new StringBuilder("Usage: bandaid broker [--listen=PATH] [-v]\n       bandaid broker --units [--write=DIR]\n\n");
        wrapped(s, "", "One bandaid for the whole host: services started with bandaid hand it their program's seccomp listener and"
                + " passed sockets, and become the program (no JVM beside it).");
        s.append("\nOptions:\n");
        options(s, new Options.Broker(), "");
        return s.toString();
    }

    static String inspect() {
        StringBuilder s = new StringBuilder("Usage: " + INSPECT_USAGE + "\n\n");
        wrapped(s, "", "Run in place of a program (by a socket unit or systemd-socket-activate): lists what was passed, one line per fd,"
                + " and exits 0. Given PROGRAM, it also runs it once in a network namespace of its own (as root, as bandaid unit"
                + " --learn does) and says what each of its listening sockets would get.");
        s.append("\nOptions:\n");
        options(s, new Options.Inspect(), "");
        return s.toString();
    }

    /**
     * The options declared on {@code options}, in their declared order, as jcommander reads them;
     * those of a delegate ({@link Options.Program} in {@link UnitOptions}) after the rest, under
     * {@code delegated} when it is given.
     */
    private static void options(StringBuilder s, Object options, String delegated) {
        JCommander jc = JCommander.newBuilder().addObject(options).build();
        jc.parse(); // jcommander reads the declarations at its first parse, not before
        List<ParameterDescription> all = new ArrayList<>(jc.getParameters());
        all.sort(Comparator.comparing((ParameterDescription p) -> p.getObject() != options).thenComparingInt(p -> p.getParameter().order()));
        boolean headed = false;
        for (ParameterDescription p : all) {
            if (p.getObject() != options && !delegated.isEmpty() && !headed) {
                s.append('\n').append(delegated).append('\n');
                headed = true;
            }
            Options.Value value;
            try {
                value = p.getObject().getClass().getDeclaredField(p.getParameterized().getName()).getAnnotation(Options.Value.class);
            } catch (NoSuchFieldException e) {
                throw new IllegalStateException(e);
            }
            String names = String.join(", ", p.getParameter().names()) + (value == null ? "" : "=" + value.value());
            item(s, (names.startsWith("--") ? "      " : "  ") + names, p.getDescription());
        }
    }

    /** A term and its text, the text wrapped at {@link #WIDTH} and indented to {@link #TEXT_COLUMN}. */
    private static void item(StringBuilder s, String term, String text) {
        List<String> lines = wrap(text, WIDTH - TEXT_COLUMN);
        if (term.length() + 2 > TEXT_COLUMN) {
            s.append(term).append('\n');
        } else {
            s.append(term).append(" ".repeat(TEXT_COLUMN - term.length())).append(lines.removeFirst()).append('\n');
        }
        for (String line : lines) {
            s.append(" ".repeat(TEXT_COLUMN)).append(line).append('\n');
        }
    }

    private static void wrapped(StringBuilder s, String indent, String text) {
        for (String line : wrap(text, WIDTH - indent.length())) {
            s.append(indent).append(line).append('\n');
        }
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (!line.isEmpty() && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.isEmpty() ? "" : " ").append(word);
        }
        lines.add(line.toString());
        return lines;
    }
}
