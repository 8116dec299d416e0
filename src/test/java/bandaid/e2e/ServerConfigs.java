package bandaid.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Server configurations kept as templates under src/test/resources/servers, for end-to-end tests. */
final class ServerConfigs {
    private static final Pattern PLACEHOLDER = Pattern.compile("@([A-Z_]+)@");

    private ServerConfigs() {
    }

    /**
     * Writes the resource {@code servers/NAME} to {@code target} with each {@code @KEY@} replaced
     * by {@code values.get(KEY)}; a placeholder without a value is a mistake in the test.
     */
    static Path render(String name, Path target, Map<String, String> values) throws IOException {
        String template;
        try (InputStream in = ServerConfigs.class.getResourceAsStream("/servers/" + name)) {
            if (in == null) {
                throw new IOException("no resource servers/" + name);
            }
            template = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalArgumentException("servers/" + name + " needs a value for " + m.group());
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return Files.writeString(target, out);
    }

    /** Fails the test with how to install {@code binary} when it is missing. */
    static String installed(String binary, String aptPackage) {
        if (!Files.isExecutable(Path.of(binary))) {
            throw new AssertionError(binary + " is not installed: apt-get install " + aptPackage);
        }
        return binary;
    }
}
