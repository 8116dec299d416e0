package bandaid.cli;

import bandaid.BandaidException;
import bandaid.ExitCode;
import com.beust.jcommander.JCommander;
import com.beust.jcommander.ParameterException;
import com.beust.jcommander.Parameterized;
import com.beust.jcommander.WrappedParameter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The one parser of bandaid's command lines (the main command, {@code inspect}, {@code unit},
 * {@code broker}), read as getopt_long(3) reads systemd's; jcommander only fills in the options
 * object, and a line without options never loads it (ARCHITECTURE.md, "One parser").
 *
 * @param rest      the index of the first word after the options (and after {@code --})
 * @param separated the options ended with {@code --}: what follows is a program, not a command
 * @param options   whether any option was given
 * @param operands  the words that are neither options nor their values (for {@code unit}: NAME)
 */
record CommandLine(int rest, boolean separated, boolean options, List<String> operands) {
    /** How far the options go. */
    enum Ends {
        /** At the first operand, as {@code bandaid [OPTIONS] PROGRAM [ARGS]} needs (getopt's "+" mode). */
        AT_FIRST_OPERAND,
        /** At {@code --} only: operands may stand among the options (bandaid unit NAME ... -- PROGRAM). */
        AT_SEPARATOR
    }

    /** What an option takes, from its declaration. */
    private enum Kind {
        /** --help, --version: no argument; acts at once (jcommander's help = true). */
        ACTION,
        /** A boolean: alone, or =BOOL. */
        FLAG,
        /** One value: =VALUE or the next word. */
        VALUE,
        /** =VALUE, or the following words up to the next that starts with '-' (jcommander's variableArity). */
        VALUES,
        /** =VALUE, or alone for the value its declaration gives ({@link Options.Alone}; getopt's optional_argument). */
        OPTIONAL
    }

    /** What an option takes, and for {@link Kind#OPTIONAL} what it means alone. */
    private record Takes(Kind kind, String alone) {
    }

    /**
     * Reads {@code words} into {@code options} (whose fields carry jcommander's {@code @Parameter}).
     * An action option (--help) stops the reading there: the caller acts on its field.
     */
    static CommandLine parse(Object options, List<String> words, Ends ends) throws BandaidException {
        int end = words.indexOf("--") < 0 ? words.size() : words.indexOf("--");
        if (ends == Ends.AT_FIRST_OPERAND ? end == 0 || !isOption(words.getFirst()) : words.subList(0, end).stream().noneMatch(CommandLine::isOption)) {
            // No option (the common ExecStart=/usr/bin/bandaid -- PROGRAM): no jcommander.
            boolean separated = ends == Ends.AT_FIRST_OPERAND ? !words.isEmpty() && words.getFirst().equals("--") : end < words.size();
            int rest = ends == Ends.AT_FIRST_OPERAND ? (separated ? 1 : 0) : Math.min(end + 1, words.size());
            List<String> operands = ends == Ends.AT_FIRST_OPERAND ? List.of() : List.copyOf(words.subList(0, end));
            return new CommandLine(rest, separated, false, operands);
        }
        Map<String, Takes> byName = new HashMap<>();
        declared(options, byName);
        List<String> given = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        int i = 0;
        boolean separated = false;
        while (i < words.size()) {
            String word = words.get(i);
            if (word.equals("--")) {
                separated = true;
                i++;
                break;
            }
            if (!isOption(word)) {
                if (ends == Ends.AT_FIRST_OPERAND) {
                    break;
                }
                operands.add(word);
                i++;
                continue;
            }
            // getopt_long: --name=VALUE; a short option (-v, -h) is the word itself.
            int eq = word.startsWith("--") ? word.indexOf('=') : -1;
            String name = eq < 0 ? word : word.substring(0, eq);
            Optional<String> attached = eq < 0 ? Optional.empty() : Optional.of(word.substring(eq + 1));
            Takes takes = byName.get(name);
            if (takes == null) {
                throw usage("unrecognized option '" + word + "'");
            }
            i++;
            switch (takes.kind()) {
                case ACTION -> {
                    if (attached.isPresent()) {
                        throw usage("option '" + name + "' doesn't allow an argument");
                    }
                    given.add(name);
                    bind(options, given);
                    return new CommandLine(i, separated, true, List.copyOf(operands));
                }
                case FLAG -> given.addAll(List.of(name, Boolean.toString(attached.isEmpty() || parseBoolean(name, attached.get()))));
                case VALUE -> {
                    if (attached.isEmpty() && (i >= words.size() || words.get(i).equals("--"))) {
                        throw usage("option '" + name + "' requires an argument");
                    }
                    given.addAll(List.of(name, attached.isPresent() ? attached.get() : words.get(i++)));
                }
                case OPTIONAL -> given.addAll(List.of(name, attached.orElse(takes.alone())));
                case VALUES -> {
                    if (attached.isPresent()) {
                        given.addAll(List.of(name, attached.get()));
                    } else if (i >= words.size() || isOption(words.get(i)) || words.get(i).equals("--")) {
                        throw usage("option '" + name + "' requires an argument");
                    }
                    while (attached.isEmpty() && i < words.size() && !isOption(words.get(i)) && !words.get(i).equals("--")) {
                        given.addAll(List.of(name, words.get(i++)));
                    }
                }
            }
        }
        bind(options, given);
        return new CommandLine(i, separated, !given.isEmpty(), List.copyOf(operands));
    }

    /** For a command that takes options only: refuses any other word of {@code words} (the ones parsed), before or after --. */
    void refuseArguments(List<String> words, String command) throws BandaidException {
        List<String> extra = operands.isEmpty() ? words.subList(rest, words.size()) : operands;
        if (!extra.isEmpty()) {
            throw usage(command + " takes no arguments, got " + String.join(" ", extra));
        }
    }

    /** getopt: a word that starts with '-' is an option, except "-" alone (and "--", which ends them). */
    private static boolean isOption(String word) {
        return word.startsWith("-") && !word.equals("-") && !word.equals("--");
    }

    /**
     * What each option declared on {@code options} (and its delegates) takes, by each of its
     * names, read with jcommander's own reading of the declarations (without building its parser).
     */
    private static void declared(Object options, Map<String, Takes> byName) {
        for (Parameterized p : Parameterized.parseArg(options)) {
            if (p.getDelegateAnnotation() != null) {
                declared(p.get(options), byName);
                continue;
            }
            WrappedParameter w = p.getWrappedParameter();
            String alone = alone(options, p);
            for (String name : w.names()) {
                byName.put(name, new Takes(kind(w, p.getType(), alone), alone));
            }
        }
    }

    /** What an option means alone, as its declaration says ({@link Options.Alone}), or null. */
    private static String alone(Object options, Parameterized p) {
        try {
            Options.Alone alone = options.getClass().getDeclaredField(p.getName()).getAnnotation(Options.Alone.class);
            return alone == null ? null : alone.value();
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Kind kind(WrappedParameter p, Class<?> type, String alone) {
        if (p.isHelp()) {
            return Kind.ACTION;
        }
        if (type == boolean.class || type == Boolean.class) {
            // jcommander flips a boolean of arity 0 each time it is named; with arity 1 it takes the value given.
            if (p.arity() != 1) {
                throw new IllegalStateException(String.join(", ", p.names()) + " must be declared with arity = 1");
            }
            return Kind.FLAG;
        }
        return p.variableArity() ? Kind.VALUES : alone != null ? Kind.OPTIONAL : Kind.VALUE;
    }

    /** Hands jcommander the options given, each as its name and then its value, to fill {@code options} in. */
    private static void bind(Object options, List<String> given) throws BandaidException {
        try {
            JCommander.newBuilder().addObject(options).expandAtSign(false).allowParameterOverwriting(true).build()
                    .parse(given.toArray(String[]::new));
        } catch (ParameterException e) {
            // Not expected (every word is in a form jcommander takes), but never its words as ours.
            throw usage("cannot read the options " + String.join(" ", given) + ": " + e.getMessage());
        }
    }

    /**
     * systemd's parse_boolean() (src/basic/parse-util.c): 1, yes, y, true, t, on and 0, no, n,
     * false, f, off, in any case.
     */
    static boolean parseBoolean(String option, String value) throws BandaidException {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "yes", "y", "true", "t", "on" -> true;
            case "0", "no", "n", "false", "f", "off" -> false;
            default -> throw usage("failed to parse boolean argument to " + option + ": " + value + " (use yes or no)");
        };
    }

    private static BandaidException usage(String message) {
        return new BandaidException(ExitCode.USAGE, message);
    }
}
