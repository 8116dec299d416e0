package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import bandaid.socket.Bytes;
import bandaid.socket.SocketType;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The text of a NAME.socket + NAME.service pair (systemd.socket(5), systemd.service(5)), with
 * every word the user gave escaped so that it stays one value: systemd.syntax(7) "Quoting" for
 * ExecStart= (quotes, C escapes, {@code %%} for a specifier's {@code %}, {@code $$} for a
 * variable's {@code $}); a value that cannot be escaped where it goes (a control character in
 * ListenStream= or User=, which would end the line and start a directive of its own) is refused.
 */
final class UnitFiles {
    /**
     * The sandboxing bandaid is proven under (SystemdHardeningIT, SystemdUnitCommandIT); seccomp(2)
     * allowed on top of @system-service, which lacks it (systemd 252), for bandaid's own filter.
     */
    static final String HARDENING = """
            DynamicUser=yes
            NoNewPrivileges=yes
            CapabilityBoundingSet=
            ProtectSystem=strict
            ProtectHome=yes
            PrivateTmp=yes
            PrivateDevices=yes
            PrivateUsers=yes
            ProtectProc=invisible
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectKernelLogs=yes
            ProtectControlGroups=yes
            ProtectClock=yes
            ProtectHostname=yes
            RestrictNamespaces=yes
            RestrictRealtime=yes
            RestrictSUIDSGID=yes
            LockPersonality=yes
            RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX
            SystemCallArchitectures=native
            SystemCallFilter=@system-service seccomp
            SystemCallErrorNumber=EPERM
            UMask=0077
            """;

    /**
     * systemctl reload: HUP to the main process, bandaid, which passes it on to the program. With
     * the shell's own kill: /bin/kill comes with procps, which minimal systems lack (systemd-analyze
     * verify and systemctl reload fail there), and the .deb does not depend on it. {@code $$} is a
     * literal {@code $} to systemd (systemd.service(5), "Command lines"): the shell reads
     * {@code $MAINPID} from the environment systemd gives ExecReload= (systemd.exec(5)).
     */
    static final String RELOAD = "# bandaid passes HUP on to the program (the shell's kill: /bin/kill is procps's).\n"
            + "ExecReload=/bin/sh -c \"kill -HUP $$MAINPID\"\n";

    private UnitFiles() {
    }

    /**
     * One socket of the socket units.
     *
     * @param name     FileDescriptorName=, as the user gave it
     * @param address  as ListenStream= takes it: {@code 127.0.0.1:80}, {@code [::]:80}, {@code 80}, {@code /path}, {@code @name}
     * @param ipv6Only for an IPv6 socket, BindIPv6Only= as --learn saw the program set IPV6_V6ONLY (ipv6-only: true)
     */
    record Listen(Optional<String> name, SocketType type, String address, Optional<Boolean> ipv6Only) {
        Listen(Optional<String> name, SocketType type, String address) {
            this(name, type, address, Optional.empty());
        }

        String directive() {
            return switch (type) {
                case DGRAM -> "ListenDatagram=";
                case SEQPACKET -> "ListenSequentialPacket=";
                default -> "ListenStream=";
            };
        }

        boolean unix() {
            return address.startsWith("/") || address.startsWith("@");
        }

        /** A name that says what the socket is: tcp-80, udp6-53, unix... */
        String shortName() {
            String kind = switch (type) {
                case DGRAM -> unix() ? "unix-dgram" : "udp";
                case SEQPACKET -> unix() ? "unix-seqpacket" : "seqpacket";
                default -> unix() ? "unix" : "tcp";
            };
            return unix() ? kind : kind + "-" + address.substring(address.lastIndexOf(':') + 1);
        }

        /** The short name with the family: tcp4-80 for 0.0.0.0:80, tcp6-80 for [::]:80. */
        String longName() {
            if (unix()) {
                return shortName();
            }
            String family = address.startsWith("[") ? "6" : address.startsWith("*") || !address.contains(":") ? "" : "4";
            int dash = shortName().lastIndexOf('-');
            return shortName().substring(0, dash) + family + shortName().substring(dash);
        }
    }

    /**
     * One socket unit: its file name, the FileDescriptorName= of all its sockets (systemd.socket(5)
     * keeps one per unit, the last line's: LISTEN_FDNAMES names every socket of the unit so), and
     * its sockets.
     */
    record SocketUnit(String file, Optional<String> fdName, List<Listen> listen) {
    }

    /** A template (NAME ends with @): web@.socket starts web@INSTANCE.service per instance. */
    static boolean template(String name) {
        return name.endsWith("@");
    }

    /** NAME.service, or NAME@.service for a template. */
    static String serviceFile(String name) {
        return name + ".service";
    }

    /**
     * The FileDescriptorName= of each socket, or none at all: with one socket its default, the
     * socket unit's name, serves, unless the user named it or a --map needs a name.
     */
    static List<Optional<String>> names(List<Listen> listen, boolean mapped) {
        if (listen.size() == 1 && listen.getFirst().name().isEmpty() && !mapped) {
            return List.of(Optional.empty());
        }
        Map<String, Integer> shortCount = new HashMap<>();
        listen.forEach(l -> shortCount.merge(l.shortName(), 1, Integer::sum));
        List<String> chosen = new ArrayList<>();
        for (Listen l : listen) {
            chosen.add(l.name().orElse(shortCount.get(l.shortName()) == 1 ? l.shortName() : l.longName()));
        }
        List<Optional<String>> names = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            String c = chosen.get(i);
            boolean clash = chosen.stream().filter(c::equals).count() > 1 && listen.get(i).name().isEmpty();
            names.add(Optional.of(clash ? c + "-" + (i + 1) : c));
        }
        return names;
    }

    /**
     * The socket units: NAME.socket when every socket has one name (or none), else one
     * NAME-FDNAME.socket per name, each with {@code Service=NAME.service} (systemd.socket(5)), so
     * that every socket reaches the program under its own name. A template's are templates too
     * (NAME-FDNAME@.socket); a specifier in FDNAME ({@code tcp-80%i}) stays out of the file's name.
     */
    static List<SocketUnit> socketUnits(UnitRequest r) throws BandaidException {
        List<Optional<String>> names = names(r.listen(), !r.bandaid().maps().isEmpty());
        Map<Optional<String>, List<Listen>> byName = new LinkedHashMap<>();
        for (int i = 0; i < r.listen().size(); i++) {
            byName.computeIfAbsent(names.get(i), n -> new ArrayList<>()).add(r.listen().get(i));
        }
        if (byName.size() == 1) {
            Map.Entry<Optional<String>, List<Listen>> only = byName.entrySet().iterator().next();
            return List.of(new SocketUnit(r.name() + ".socket", only.getKey(), only.getValue()));
        }
        String base = template(r.name()) ? r.name().substring(0, r.name().length() - 1) : r.name();
        List<SocketUnit> units = new ArrayList<>();
        Set<String> files = new HashSet<>();
        for (Map.Entry<Optional<String>, List<Listen>> e : byName.entrySet()) {
            String part = e.getKey().orElseThrow().replace("%i", "").replace("%I", "");
            String file = base + "-" + part;
            for (int n = 2; files.contains(file); n++) {
                file = base + "-" + part + "-" + n;
            }
            files.add(file);
            String unit = file + (template(r.name()) ? "@" : "") + ".socket";
            if (unit.length() > 255) {
                throw new BandaidException(ExitCode.USAGE, "the socket unit " + unit + " would have a longer name than systemd takes (255):"
                        + " give shorter names (NAME, or FDNAME= in --listen)");
            }
            units.add(new SocketUnit(unit, e.getKey(), e.getValue()));
        }
        return units;
    }

    static String socket(UnitRequest r, SocketUnit unit) throws BandaidException {
        boolean alone = unit.file().equals(r.name() + ".socket");
        StringBuilder s = new StringBuilder("[Unit]\nDescription=" + r.name() + " " + (alone ? "sockets" : "socket " + unit.fdName().orElseThrow())
                + " (passed to the program by bandaid)\n\n[Socket]\n");
        for (Listen l : unit.listen()) {
            s.append(l.directive()).append(value("--listen", l.address(), template(r.name()))).append('\n');
        }
        unit.fdName().ifPresent(n -> s.append("FileDescriptorName=").append(n).append('\n'));
        unit.listen().stream().flatMap(l -> l.ipv6Only().stream()).findFirst()
                .ifPresent(only -> s.append("BindIPv6Only=").append(only ? "ipv6-only" : "both").append('\n'));
        s.append("# bandaid hands over listening sockets, not connections.\nAccept=no\n");
        if (!alone) {
            s.append("# Its sockets go to the one service, under this unit's name.\nService=")
                    .append(template(r.name()) ? r.name() + "%i.service" : serviceFile(r.name())).append('\n');
        }
        s.append("\n[Install]\nWantedBy=sockets.target\n");
        return s.toString();
    }

    /**
     * @param units   the socket units that pass the service its sockets
     * @param command the launcher, bandaid's options, --, the program (absolute) and its arguments
     */
    static String service(UnitRequest r, List<SocketUnit> units, List<byte[]> command) throws BandaidException {
        List<String> sockets = units.stream().map(u -> template(r.name()) ? u.file().replace("@.socket", "@%i.socket") : u.file()).toList();
        StringBuilder s = new StringBuilder("[Unit]\nDescription=" + r.name() + (template(r.name()) ? "%i" : "")
                + " (socket-activated through bandaid)\nRequires=" + String.join(" ", sockets) + "\nAfter=" + String.join(" ", sockets)
                + "\n\n[Service]\n");
        List<String> words = new ArrayList<>();
        for (byte[] word : command) {
            words.add(execWord(word, template(r.name())));
        }
        s.append("ExecStart=").append(String.join(" ", words)).append('\n');
        s.append(RELOAD);
        if (r.workingDirectory().isPresent()) {
            s.append("# Where bandaid unit --learn ran it.\nWorkingDirectory=").append(value("the working directory", r.workingDirectory().get(), false))
                    .append('\n');
        }
        if (r.user().isPresent()) {
            s.append("User=").append(value("--user", r.user().get(), false)).append('\n');
        }
        if (r.harden()) {
            s.append("# Sandboxing bandaid is tested under (bandaid unit --harden). A program that writes files needs\n"
                    + "# StateDirectory=, LogsDirectory= or ReadWritePaths= for them (ProtectSystem=strict).\n").append(HARDENING);
        } else {
            s.append("# With SystemCallFilter=, allow seccomp too: bandaid installs a filter of its own.\n"
                    + "#SystemCallFilter=@system-service seccomp\n");
        }
        if (r.privateNetwork()) {
            s.append("# The passed sockets serve the host's network; the program reaches no other.\nPrivateNetwork=yes\n");
        }
        return s.toString();
    }

    /**
     * One ExecStart= word (systemd.service(5) "Command lines", systemd.syntax(7) "Quoting"):
     * {@code %} and {@code $} doubled (in a template, {@code %i} and {@code %I} stay the
     * instance), quotes and backslashes escaped, control characters and bytes that are not
     * UTF-8 as C escapes ({@code \n}, {@code \xNN}, which systemd turns back into those very
     * bytes), and the word quoted when it holds anything but plain characters.
     */
    static String execWord(byte[] word, boolean template) {
        StringBuilder out = new StringBuilder();
        boolean quote = word.length == 0;
        int i = 0;
        while (i < word.length) {
            int b = word[i] & 0xff;
            if (b >= 0x80) {
                int length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
                Optional<String> ch = utf8(word, i, length);
                if (ch.isPresent()) {
                    out.append(ch.get());
                    i += length;
                } else {
                    out.append(String.format("\\x%02x", b));
                    quote = true;
                    i++;
                }
                continue;
            }
            char c = (char) b;
            switch (c) {
                case '%' -> out.append(template && i + 1 < word.length && (word[i + 1] == 'i' || word[i + 1] == 'I') ? "%" : "%%");
                case '$' -> out.append("$$");
                case '\\' -> out.append("\\\\");
                case '"' -> out.append("\\\"");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> out.append(c < 0x20 || c == 0x7f ? String.format("\\x%02x", b) : String.valueOf(c));
            }
            quote |= c == '\\' || c == '"' || c == '\'' || c == ';' || c == ' ' || c < 0x20 || c == 0x7f;
            i++;
        }
        return quote ? "\"" + out + "\"" : out.toString();
    }

    /** The UTF-8 character of {@code length} bytes at {@code at}, if it is one. */
    private static Optional<String> utf8(byte[] bytes, int at, int length) {
        if (at + length > bytes.length || length == 1) {
            return Optional.empty();
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, at, length)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    /**
     * A value that goes to the end of its line (ListenStream=, User=): {@code %} doubled (in a
     * template, {@code %i} and {@code %I} kept); what systemd would read otherwise is refused:
     * control characters (a new line is a new directive), blanks around it (stripped) and a
     * trailing backslash (joins the next line).
     */
    static String value(String option, String text, boolean template) throws BandaidException {
        if (text.chars().anyMatch(c -> c < 0x20 || c == 0x7f) || !text.equals(text.strip()) || text.endsWith("\\")) {
            throw new BandaidException(ExitCode.USAGE, option + " " + Bytes.printable(text.getBytes(StandardCharsets.UTF_8))
                    + ": control characters, blanks around it or a trailing backslash would change the unit; give it without them");
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean specifier = template && c == '%' && i + 1 < text.length() && (text.charAt(i + 1) == 'i' || text.charAt(i + 1) == 'I');
            out.append(c == '%' && !specifier ? "%%" : String.valueOf(c));
        }
        return out.toString();
    }
}
