package io.facestream.config;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The problems found while reading settings from a configuration, gathered so that one message
 * names every bad option at once, each as the caller's front end spells it.
 */
public final class Problems {

    private final OptionNames names;
    private final List<String> found = new ArrayList<>();

    public Problems(OptionNames names) {
        this.names = names;
    }

    public String name(ConfigOption<?> option) {
        return names.of(option);
    }

    /** The option's value, else its default (null when it has none); a value that does not convert is a problem. */
    public <T> T get(ReadableConfig config, ConfigOption<T> option) {
        try {
            return config.getOptional(option).orElseGet(option::defaultValue);
        } catch (IllegalArgumentException e) {
            found.add(name(option) + ": " + e.getMessage());
            return option.defaultValue();
        }
    }

    /** A problem with an option's value: {@code NAME VALUE: what to do}. */
    public void add(ConfigOption<?> option, Object value, String whatToDo) {
        found.add(name(option) + " " + value + ": " + whatToDo);
    }

    public void add(String problem) {
        found.add(problem);
    }

    public boolean isEmpty() {
        return found.isEmpty();
    }

    /**
     * @throws IllegalArgumentException under {@code heading}, listing every problem (one on the
     *         heading's line, more each on a line of its own), when there are any
     */
    public void throwIfAny(String heading) {
        throwIfAny(heading, null);
    }

    /** As {@link #throwIfAny(String)}, the message ending in {@code advice} (where to set the options). */
    public void throwIfAny(String heading, String advice) {
        if (found.size() == 1 && advice == null) {
            // One problem reads best on one line, as a terminal or a log shows it.
            throw new IllegalArgumentException(heading + ": " + found.get(0));
        }
        if (!found.isEmpty()) {
            throw new IllegalArgumentException(heading + ":\n  " + String.join("\n  ", found) + (advice == null ? "" : "\n" + advice));
        }
    }
}
