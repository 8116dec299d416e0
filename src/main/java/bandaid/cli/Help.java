package bandaid.cli;

import bandaid.ExitCode;

/** {@code bandaid --help}: usage, options and exit statuses, on stdout. */
final class Help {
    private Help() {
    }

    static String text() {
        StringBuilder s = new StringBuilder("""
                Usage: bandaid [OPTIONS] [--] PROGRAM [ARGS...]
                       bandaid inspect      (in place of a program: list the passed sockets)
                       bandaid\s""").append(UnitCommand.USAGE.substring("usage is bandaid ".length())).append("\n\n");
        s.append("Runs PROGRAM on the sockets systemd passed (LISTEN_FDS), without the program knowing.\n\nOptions:\n");
        s.append(CommandLine.optionsHelp());
        s.append("\nExit status: the program's, or one of bandaid's own:\n");
        for (ExitCode code : ExitCode.values()) {
            s.append(String.format("  %3d  %s%n", code.code(), code.meaning()));
        }
        s.append("\nSee bandaid(1) for more.\n");
        return s.toString();
    }
}
