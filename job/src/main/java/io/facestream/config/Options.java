package io.facestream.config;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;

/** What the front ends share about options: how a default is written, and copying options between configurations. */
public final class Options {

    private Options() {}

    /**
     * How users write the option's default (in help texts and docs): durations as {@code 30s} or
     * {@code 10min}, which every front end reads back ({@link TimeUtils#parseDuration}); enums as
     * their lower-case names with '-'; lists comma-separated. Null without a default.
     */
    public static String defaultText(ConfigOption<?> option) {
        return option.hasDefaultValue() ? text(option.defaultValue()) : null;
    }

    /** How users write a value of an option, as {@link #defaultText} writes defaults. */
    public static String text(Object value) {
        if (value instanceof Duration duration) {
            return TimeUtils.formatWithHighestUnit(duration).replace(" ", "");
        }
        if (value instanceof Enum<?> constant) {
            return constant.toString().toLowerCase(Locale.ROOT).replace('_', '-');
        }
        if (value instanceof Collection<?> items) {
            return items.stream().map(Options::text).collect(Collectors.joining(","));
        }
        return String.valueOf(value);
    }

    /** The option's description as plain text (options here are described with plain strings). */
    public static String description(ConfigOption<?> option) {
        return option.description().getBlocks().stream()
                .map(block -> block instanceof TextElement text ? text.getFormat() : block.toString())
                .collect(Collectors.joining(" "));
    }

    /** The given options that {@code source} sets, converted, in a configuration of their own; unreadable values are problems. */
    public static Configuration copy(ReadableConfig source, List<ConfigOption<?>> options, Problems problems) {
        Configuration copy = new Configuration();
        for (ConfigOption<?> option : options) {
            copyOne(source, option, copy, problems);
        }
        return copy;
    }

    private static <T> void copyOne(ReadableConfig source, ConfigOption<T> option, Configuration target, Problems problems) {
        try {
            source.getOptional(option).ifPresent(value -> target.set(option, value));
        } catch (IllegalArgumentException e) {
            problems.add(problems.name(option) + ": " + e.getMessage());
        }
    }
}
