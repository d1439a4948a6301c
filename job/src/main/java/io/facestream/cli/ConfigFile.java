package io.facestream.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.Stack;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import picocli.CommandLine;
import picocli.CommandLine.IParameterPreprocessor;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * {@code --config FILE} on every command: flags from a {@code .properties} or {@code .yaml} file,
 * keyed by their long names, at the top level (for every command that has the flag) or in a
 * section named after the command (for that command only; it wins over the top level). Flags given
 * on the command line win over the file.
 *
 * <p>The file's values become ordinary arguments, inserted where {@code --config} stands, so they
 * are converted and validated exactly as typed ones are, and required flags may come from the file.
 */
final class ConfigFile {

    static final String OPTION = "--config";

    private ConfigFile() {}

    /** Adds {@code --config} to every subcommand of {@code root}. */
    static void addTo(CommandLine root) {
        for (CommandLine command : new LinkedHashSet<>(root.getSubcommands().values())) {
            if (command.getCommandSpec().userObject() instanceof CommandLine.HelpCommand) {
                continue;
            }
            command.getCommandSpec().addOption(OptionSpec.builder(OPTION)
                    .paramLabel("FILE")
                    .type(String.class)
                    .description("Read flags from a .properties or .yaml/.yml file: keys are long flag names without dashes "
                            + "(bootstrap-servers=...), at the top level for every command or under a section named after "
                            + "the command (" + command.getCommandName() + ".KEY, or a YAML mapping); lists comma-separated "
                            + "or as YAML lists, KEY=VALUE flags as KEY.NAME=VALUE or a YAML mapping. "
                            + "Flags on the command line win. Default: none.")
                    .preprocessor(new Expander())
                    .build());
        }
    }

    /** Replaces {@code --config FILE} by the file's flags that the command line does not give itself. */
    private static final class Expander implements IParameterPreprocessor {
        @Override
        public boolean preprocess(Stack<String> args, CommandSpec command, ArgSpec argSpec, Map<String, Object> info) {
            CommandLine commandLine = command.commandLine();
            if (args.isEmpty()) {
                throw new ParameterException(commandLine, OPTION + " needs a FILE (.properties, .yaml or .yml)");
            }
            Path file = Path.of(args.pop());
            Map<String, Object> entries;
            try {
                entries = read(file);
            } catch (IOException | RuntimeException e) {
                throw new ParameterException(commandLine, OPTION + " " + file + ": " + unreadable(e));
            }
            List<String> flags = flagsFor(commandLine, file, entries, givenOnCommandLine(command, args));
            for (int i = flags.size() - 1; i >= 0; i--) {
                args.push(flags.get(i));
            }
            return true;
        }
    }

    /** Why the file could not be read and what to do, on one line. */
    private static String unreadable(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file; give the path of a .properties, .yaml or .yml file";
        }
        if (e instanceof MarkedYamlEngineException yaml) {
            String where = yaml.getProblemMark().or(yaml::getContextMark)
                    .map(mark -> " at line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1)).orElse("");
            return "not valid YAML: " + oneLine(yaml.getProblem()) + where + "; fix the file there (YAML nests by indentation, "
                    + "lists are [a, b] or '- a' lines)";
        }
        return "cannot be read (" + oneLine(e.getMessage()) + "); fix it or give another file";
    }

    private static String oneLine(String message) {
        return String.valueOf(message).strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** Options given before {@code --config} (already parsed) or after it (still on the stack). */
    private static Set<OptionSpec> givenOnCommandLine(CommandSpec command, Stack<String> remaining) {
        Set<OptionSpec> given = new HashSet<>();
        for (OptionSpec option : command.options()) {
            if (!option.originalStringValues().isEmpty()) {
                given.add(option);
            }
        }
        for (String token : remaining) {
            if (token.startsWith("-")) {
                int equals = token.indexOf('=');
                OptionSpec option = command.findOption(equals > 0 ? token.substring(0, equals) : token);
                if (option != null) {
                    given.add(option);
                }
            }
        }
        return given;
    }

    /** The file as nested maps: flag name to value, command name to a map of its own. */
    static Map<String, Object> read(Path file) throws IOException {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".yaml") || name.endsWith(".yml")) {
            Object loaded = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
            if (loaded == null) {
                return Map.of();
            }
            if (!(loaded instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("the YAML document must be a mapping of flag names to values");
            }
            return nest(stringKeys(map));
        }
        if (name.endsWith(".properties")) {
            Properties properties = new Properties();
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
            Map<String, Object> flat = new LinkedHashMap<>();
            for (String key : properties.stringPropertyNames()) {
                flat.put(key, properties.getProperty(key));
            }
            return nest(flat);
        }
        throw new IllegalArgumentException("name it *.properties, *.yaml or *.yml");
    }

    /**
     * One level of dotted keys as nesting: {@code a.b.c=v} puts {@code b.c=v} into the mapping under
     * {@code a}, as a YAML mapping under {@code a} would (a command's section, or a KEY=VALUE flag's pairs).
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> nest(Map<String, Object> entries) {
        Map<String, Object> nested = new LinkedHashMap<>();
        entries.forEach((key, value) -> {
            int dot = key.indexOf('.');
            String head = dot < 0 ? key : key.substring(0, dot);
            Object inner = value;
            if (dot >= 0) {
                Map<String, Object> pair = new LinkedHashMap<>();
                pair.put(key.substring(dot + 1), value);
                inner = pair;
            }
            Object existing = nested.get(head);
            if (existing == null) {
                nested.put(head, inner instanceof Map<?, ?> map ? new LinkedHashMap<>((Map<String, Object>) map) : inner);
            } else if (existing instanceof Map<?, ?> && inner instanceof Map<?, ?> map) {
                ((Map<String, Object>) existing).putAll((Map<String, Object>) map);
            } else {
                throw new IllegalArgumentException("'" + head + "' is given twice, or both as a value and as a mapping");
            }
        });
        return nested;
    }

    private static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        map.forEach((key, value) -> result.put(String.valueOf(key), value instanceof Map<?, ?> inner ? stringKeys(inner) : value));
        return result;
    }

    /** The arguments the file contributes to {@code commandLine}, or a ParameterException naming the first problem. */
    static List<String> flagsFor(CommandLine commandLine, Path file, Map<String, Object> entries, Set<OptionSpec> given) {
        CommandSpec command = commandLine.getCommandSpec();
        CommandLine root = commandLine;
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Map<String, CommandLine> commands = root.getSubcommands();
        Map<OptionSpec, Object> values = new LinkedHashMap<>();
        Map<String, Object> ownSection = Map.of();
        for (Map.Entry<String, Object> entry : entries.entrySet()) {
            String key = stripDashes(entry.getKey());
            CommandLine section = commands.get(key);
            if (section != null) {
                if (!(entry.getValue() instanceof Map<?, ?> map)) {
                    throw problem(commandLine, file, "'" + key + "' names a command: give its flags under it");
                }
                Map<String, Object> flags = nest(stringKeys(map));
                for (String flag : flags.keySet()) {
                    // Every section is checked, so a typo in another command's section shows up too.
                    if (option(section, flag) == null) {
                        throw unknown(commandLine, file, key + "." + stripDashes(flag), List.of(section));
                    }
                }
                if (section == commandLine) {
                    ownSection = flags;
                }
                continue;
            }
            OptionSpec option = option(commandLine, key);
            if (option != null) {
                values.put(option, entry.getValue());
            } else if (commands.values().stream().allMatch(other -> option(other, key) == null)) {
                List<CommandLine> candidates = new ArrayList<>();
                candidates.add(commandLine);
                candidates.addAll(new LinkedHashSet<>(commands.values()));
                throw unknown(commandLine, file, key, candidates);
            }
            // Otherwise a flag of another command: a shared file serves them all.
        }
        for (Map.Entry<String, Object> entry : ownSection.entrySet()) {
            values.put(option(commandLine, entry.getKey()), entry.getValue());
        }
        List<String> args = new ArrayList<>();
        for (Map.Entry<OptionSpec, Object> entry : values.entrySet()) {
            OptionSpec option = entry.getKey();
            if (!given.contains(option)) {
                args.addAll(arguments(commandLine, file, option, entry.getValue()));
            }
        }
        return args;
    }

    private static OptionSpec option(CommandLine command, String key) {
        String name = stripDashes(key);
        if (name.isEmpty() || ("--" + name).equals(OPTION)) {
            return null;
        }
        OptionSpec option = command.getCommandSpec().findOption("--" + name);
        return option == null || option.usageHelp() || option.versionHelp() ? null : option;
    }

    private static List<String> arguments(CommandLine commandLine, Path file, OptionSpec option, Object value) {
        String name = option.longestName();
        List<String> args = new ArrayList<>();
        if (value == null) {
            throw problem(commandLine, file, stripDashes(name) + " has no value");
        }
        if (option.typeInfo().isMap()) {
            if (!(value instanceof Map<?, ?> map)) {
                throw problem(commandLine, file, stripDashes(name) + " takes KEY=VALUE pairs: write " + stripDashes(name)
                        + ".KEY=VALUE (properties) or a mapping under " + stripDashes(name) + " (YAML)");
            }
            map.forEach((k, v) -> args.add(name + "=" + k + "=" + v));
        } else if (option.isMultiValue()) {
            List<?> items = value instanceof List<?> list ? list : List.of(String.valueOf(value).split(","));
            for (Object item : items) {
                if (item instanceof Map || item instanceof List) {
                    throw problem(commandLine, file, stripDashes(name) + " takes a list of values");
                }
                args.add(name + "=" + String.valueOf(item).trim());
            }
        } else if (value instanceof Map || value instanceof List) {
            throw problem(commandLine, file, stripDashes(name) + " takes one value");
        } else if (option.arity().max() == 0) {
            String flag = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
            if (flag.equals("true")) {
                args.add(name);
            } else if (!flag.equals("false")) {
                throw problem(commandLine, file, stripDashes(name) + " is a switch: give true or false, not '" + value + "'");
            }
        } else {
            String refusal = refusal(commandLine, option, String.valueOf(value));
            if (refusal != null) {
                throw problem(commandLine, file, stripDashes(name) + " " + refusal + "; see --help for its values");
            }
            args.add(name + "=" + value);
        }
        return args;
    }

    /**
     * Why the command would refuse the value once it reads it, checked here so that the message
     * names the file it came from; null where it converts, or where the command's flags are not generated.
     */
    private static String refusal(CommandLine commandLine, OptionSpec option, String value) {
        if (!(commandLine.getCommand() instanceof Flags.Generated generated)) {
            return null;
        }
        return generated.flags().stream().filter(flag -> flag.name().equals(option.longestName())).findFirst()
                .map(flag -> Flags.refusal(flag, value)).orElse(null);
    }

    private static ParameterException unknown(CommandLine commandLine, Path file, String key, List<CommandLine> candidates) {
        String flag = key.substring(key.lastIndexOf('.') + 1);
        var removed = RemovedFlags.explain(List.of(flag));
        if (removed.isPresent()) {
            return problem(commandLine, file, "'" + key + "': " + removed.get());
        }
        List<String> suggestions = new ArrayList<>();
        for (CommandLine candidate : candidates) {
            if (suggestions.isEmpty()) {
                suggestions.addAll(new CommandLine.UnmatchedArgumentException(candidate, List.of("--" + flag)).getSuggestions());
            }
        }
        String hint = suggestions.isEmpty() ? " See --help for the flags."
                : " Did you mean " + stripDashes(suggestions.get(0)) + "?";
        return problem(commandLine, file, "unknown flag '" + key + "'." + hint);
    }

    private static ParameterException problem(CommandLine commandLine, Path file, String message) {
        return new ParameterException(commandLine, OPTION + " " + file + ": " + message);
    }

    private static String stripDashes(String key) {
        String name = key.trim();
        while (name.startsWith("-")) {
            name = name.substring(1);
        }
        return name;
    }
}
