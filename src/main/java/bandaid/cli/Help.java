package bandaid.cli;

import bandaid.ExitCode;
import com.beust.jcommander.Parameter;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bandaid --help}, on stdout: usage, the options in the order a reader needs them (from
 * {@link Options}' annotations, so they cannot drift apart), the exit statuses and a pointer to
 * the man page. Lines stay within 100 columns and carry no trailing spaces.
 */
final class Help {
    private static final int WIDTH = 100;
    private static final int TEXT_COLUMN = 26;

    private Help() {
    }

    static String text() {
        StringBuilder s = new StringBuilder();
        s.append("Usage: bandaid [OPTIONS] [--] PROGRAM [ARGS...]\n");
        s.append("       bandaid inspect [[--] PROGRAM [ARGS...]]\n");
        s.append("       bandaid ").append(UnitCommand.USAGE.substring("usage is bandaid ".length())).append("\n\n");
        s.append("Runs PROGRAM on the sockets systemd passed (LISTEN_FDS), without the program knowing.\n");
        s.append("bandaid inspect, in place of a program, lists what was passed; given PROGRAM, also what each of its\n"
                + "sockets would get (it runs PROGRAM once in a network namespace of its own, as root).\n\nOptions:\n");
        for (Field field : Options.class.getDeclaredFields()) {
            Parameter p = field.getAnnotation(Parameter.class);
            if (p == null) {
                continue;
            }
            Options.Value value = field.getAnnotation(Options.Value.class);
            String names = String.join(", ", p.names()) + (value == null ? "" : "=" + value.value());
            item(s, (names.startsWith("--") ? "      " : "  ") + names, p.description());
        }
        s.append("\nExit status: the program's; or, before or around it, one of bandaid's own:\n");
        for (ExitCode code : ExitCode.values()) {
            // The sysexits name systemctl status shows beside the number (not for 126 and 127).
            String name = code.code() < 100 ? " " + code.name() : "";
            item(s, String.format("  %3d%s", code.code(), name), code.meaning());
        }
        s.append("\nSee bandaid(1) for the matching rules, units and examples.\n");
        return s.toString();
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
