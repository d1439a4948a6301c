package io.facestream.config;

import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/**
 * What the settings builders share: each setter sets one option in a configuration, which the
 * settings then read and check exactly as they read one given by a front end.
 */
public abstract class OptionsBuilder<B extends OptionsBuilder<B>> {

    /** The options set so far. */
    protected final Configuration options = new Configuration();

    /** Sets {@code option}, or unsets it (back to its default) where {@code value} is null. */
    @SuppressWarnings("unchecked")
    protected final <T> B set(ConfigOption<T> option, T value) {
        if (value == null) {
            options.removeConfig(option);
        } else {
            options.set(option, value);
        }
        return (B) this;
    }
}
