package io.facestream.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The settings of every Kafka client FaceStream makes (the job's consumer and producers, the startup
 * check's admin client, the tools' clients): a Kafka client properties file ({@code --kafka-config},
 * typically security.protocol, sasl.* and ssl.*), then the properties given one by one, which win.
 * One place, so that a secured cluster is reached the same way by all of them.
 */
public final class KafkaClientConfig {

    private KafkaClientConfig() {}

    /**
     * The file's properties (none when {@code fileOrNull} is null), overridden by {@code explicit}.
     *
     * @throws IllegalArgumentException when the file cannot be read: the message names it and the reason, never its contents
     */
    public static Map<String, String> merged(String fileOrNull, Map<String, String> explicit) {
        Map<String, String> merged = new LinkedHashMap<>();
        if (fileOrNull != null) {
            merged.putAll(read(fileOrNull));
        }
        merged.putAll(explicit);
        return merged;
    }

    /** As {@link #merged}, as Properties (Flink's connector builders take them). */
    public static Properties properties(String fileOrNull, Map<String, String> explicit) {
        Properties properties = new Properties();
        properties.putAll(merged(fileOrNull, explicit));
        return properties;
    }

    /** As {@link #merged}, with the brokers set, for a client's constructor. */
    public static Map<String, Object> of(String bootstrapServers, String fileOrNull, Map<String, String> explicit) {
        Map<String, Object> config = new LinkedHashMap<>(merged(fileOrNull, explicit));
        config.put("bootstrap.servers", bootstrapServers);
        return config;
    }

    /** The properties in {@code file}. */
    public static Map<String, String> read(String file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("--kafka-config " + file + " cannot be read (" + e.getClass().getSimpleName()
                    + "): give a readable Kafka client properties file (key=value lines, e.g. security.protocol=SASL_SSL)");
        }
        Map<String, String> read = new LinkedHashMap<>();
        properties.forEach((key, value) -> read.put(key.toString().trim(), value.toString().trim()));
        return read;
    }
}
