package io.facestream.cli;

import io.facestream.config.Options;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Command-line flags generated from the {@link ConfigOption}s they set: the flag is {@code --KEY}
 * (so a {@code --config} file's keys are the options' keys), its help the option's description and
 * default. Only the label of the value is the command line's own. What the command line gives
 * becomes a {@link Configuration}, read by the same code that reads the options elsewhere; the
 * defaults stay the options', never copied.
 */
final class Flags {

    private Flags() {}

    /** A command whose flags are generated: {@link FaceStreamCli} adds them before parsing. */
    interface Generated {
        List<Flag> flags();
    }

    enum Kind { VALUE, SWITCH, LIST, MAP, CHOICE }

    /**
     * One flag: its option, the label of its value in the help, and for a choice the enum and,
     * where only some of its constants may be chosen, those; {@code arity} null for picocli's own.
     */
    record Flag(ConfigOption<?> option, String label, Kind kind, Class<? extends Enum<?>> type, List<? extends Enum<?>> choices,
                boolean required, String arity) {

        Flag asRequired() {
            return new Flag(option, label, kind, type, choices, true, arity);
        }

        /** A list flag that takes one or more values after one flag ({@code --images a b c}), besides repeating it. */
        Flag oneOrMore() {
            if (kind != Kind.LIST) {
                throw new IllegalStateException(name() + " is not a list");
            }
            return new Flag(option, label, kind, type, choices, required, "1..*");
        }

        String name() {
            return "--" + option.key();
        }
    }

    static Flag value(ConfigOption<?> option, String label) {
        return new Flag(option, label, Kind.VALUE, null, null, false, null);
    }

    static Flag toggle(ConfigOption<Boolean> option) {
        return new Flag(option, null, Kind.SWITCH, null, null, false, null);
    }

    static Flag list(ConfigOption<List<String>> option, String label) {
        return new Flag(option, label, Kind.LIST, null, null, false, null);
    }

    static Flag map(ConfigOption<Map<String, String>> option) {
        return new Flag(option, "KEY=VALUE", Kind.MAP, null, null, false, null);
    }

    /** An enum, any constant by name or by its {@code toString()}, in any case (picocli's case-insensitive enums). */
    static <E extends Enum<E>> Flag choice(ConfigOption<E> option, Class<E> type) {
        return new Flag(option, label(List.of(type.getEnumConstants())), Kind.CHOICE, type, null, false, null);
    }

    /**
     * An enum of which only {@code choices} may be chosen (a library's enum, some constants of which
     * this product refuses); a value outside them is refused naming them.
     */
    @SafeVarargs
    static <E extends Enum<E>> Flag choice(ConfigOption<E> option, E... choices) {
        return new Flag(option, label(List.of(choices)), Kind.VALUE, null, List.of(choices), false, null);
    }

    private static String label(List<? extends Enum<?>> constants) {
        return constants.stream().map(Options::text).collect(Collectors.joining("|"));
    }

    /** Adds the flags to {@code command}. */
    static void addTo(CommandSpec command, List<Flag> flags) {
        for (Flag flag : flags) {
            String description = Options.description(flag.option());
            String defaultText = Options.defaultText(flag.option());
            if (defaultText != null) {
                description += " Default: ${DEFAULT-VALUE}.";
            } else if (!description.contains("Default:") && !flag.required()) {
                description += " Default: none.";
            }
            OptionSpec.Builder option = OptionSpec.builder(flag.name())
                    .description(description)
                    .required(flag.required())
                    .defaultValue(defaultText);
            switch (flag.kind()) {
                case SWITCH -> option.type(boolean.class).arity("0");
                case LIST -> option.type(List.class).auxiliaryTypes(String.class).paramLabel(flag.label());
                case MAP -> option.type(Map.class).auxiliaryTypes(String.class, String.class).paramLabel(flag.label());
                case CHOICE -> option.type(flag.type()).paramLabel(flag.label());
                case VALUE -> option.type(String.class).paramLabel(flag.label());
            }
            if (flag.arity() != null) {
                option.arity(flag.arity());
            }
            command.addOption(option.build());
        }
    }

    /**
     * The options the command line (or a {@code --config} file) gives; those not given are absent,
     * so their defaults are their options'.
     *
     * @throws IllegalArgumentException for a value outside a flag's choices
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    static Configuration given(CommandSpec command, List<Flag> flags) {
        ParseResult parsed = command.commandLine().getParseResult();
        Configuration options = new Configuration();
        for (Flag flag : flags) {
            OptionSpec matched = parsed == null ? null : parsed.matchedOption(flag.name());
            if (matched == null) {
                continue;
            }
            Object value = matched.getValue();
            ConfigOption option = flag.option();
            if (flag.choices() != null) {
                options.set(option, choose(flag, (String) value));
            } else if (flag.kind() == Kind.VALUE) {
                options.setString(option.key(), (String) value);
            } else {
                options.set(option, value);
            }
        }
        return options;
    }

    /**
     * Why {@code value}, given to {@code flag} in writing (a {@code --config} file), would be refused
     * once the command reads it, as "takes LABEL, not 'value'"; null where it converts as the command converts it.
     */
    static String refusal(Flag flag, String value) {
        try {
            if (flag.choices() != null) {
                choose(flag, value);
            } else if (flag.kind() == Kind.CHOICE) {
                // Picocli's case-insensitive enums: a constant's name or its toString().
                boolean known = Arrays.stream(flag.type().getEnumConstants()).anyMatch(constant ->
                        constant.name().equalsIgnoreCase(value.trim()) || constant.toString().equalsIgnoreCase(value.trim()));
                if (!known) {
                    throw new IllegalArgumentException(value);
                }
            } else if (flag.kind() == Kind.VALUE) {
                Configuration options = new Configuration();
                options.setString(flag.option().key(), value);
                options.get(flag.option());
            }
            return null;
        } catch (IllegalArgumentException e) {
            return "takes " + (flag.label() == null ? "a value" : flag.label()) + ", not '" + value + "'";
        }
    }

    private static Enum<?> choose(Flag flag, String value) {
        String name = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        return flag.choices().stream().filter(choice -> choice.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(flag.name() + " " + value + ": choose one of "
                        + flag.choices().stream().map(Options::text).collect(Collectors.joining(", "))));
    }
}
