package io.facestream.config;

import java.io.Serializable;
import org.apache.flink.configuration.ConfigOption;

/**
 * How a front end spells an option's name in its messages: the command line as {@code --KEY}, SQL
 * as {@code facestream.KEY}, code that builds settings itself as the bare key. Settings name their
 * options through it, so that each front end's users read the name they typed.
 */
@FunctionalInterface
public interface OptionNames extends Serializable {

    /** The bare keys, for settings built in code. */
    OptionNames KEYS = ConfigOption::key;

    /** The command line's flags: the key is the flag's name. */
    OptionNames FLAGS = option -> "--" + option.key();

    String of(ConfigOption<?> option);

    static OptionNames prefixed(String prefix) {
        return option -> prefix + option.key();
    }
}
