package bandaid.cli;

import bandaid.cli.UnitFiles.Listen;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code bandaid unit} is asked to write, every value checked.
 *
 * @param name             NAME, or NAME@ for templates
 * @param listen           the sockets (empty with --learn until learned)
 * @param bandaid          bandaid's own options, for ExecStart=
 * @param program          the program and its arguments, as given
 * @param workingDirectory where --learn ran the program
 */
record UnitRequest(String name, List<Listen> listen, Optional<String> user, Optional<Path> write, boolean force, boolean harden,
                   boolean privateNetwork, boolean learn, Options.Checked bandaid, List<byte[]> program, Optional<String> workingDirectory) {
    /** What --learn found, in the directory where the program ran: the unit runs it there too. */
    UnitRequest withLearned(List<Listen> learned, String directory) {
        return new UnitRequest(name, learned, user, write, force, harden, privateNetwork, learn, bandaid, program,
                directory.equals("/") ? Optional.empty() : Optional.of(directory));
    }
}
