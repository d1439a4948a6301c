package io.facestream.job;

import static io.facestream.job.KafkaOptions.BOOTSTRAP_SERVERS;
import static io.facestream.job.KafkaOptions.BOUNDED;
import static io.facestream.job.KafkaOptions.CONSUMER_PROPERTIES;
import static io.facestream.job.KafkaOptions.DEAD_LETTER_TOPIC;
import static io.facestream.job.KafkaOptions.DELIVERY_GUARANTEE;
import static io.facestream.job.KafkaOptions.GROUP_ID;
import static io.facestream.job.KafkaOptions.INPUT_FORMAT;
import static io.facestream.job.KafkaOptions.INPUT_TOPIC;
import static io.facestream.job.KafkaOptions.KAFKA_CONFIG;
import static io.facestream.job.KafkaOptions.OUTPUT_TOPIC;
import static io.facestream.job.KafkaOptions.PRODUCER_PROPERTIES;
import static io.facestream.job.KafkaOptions.SCHEMA_REGISTRY;
import static io.facestream.job.KafkaOptions.SCHEMA_REGISTRY_AUTH;
import static io.facestream.job.KafkaOptions.SCHEMA_REGISTRY_CREDENTIALS;
import static io.facestream.job.KafkaOptions.SCHEMA_REGISTRY_TRUSTSTORE;
import static io.facestream.job.KafkaOptions.SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD;
import static io.facestream.job.KafkaOptions.STARTING_OFFSETS;
import static io.facestream.job.KafkaOptions.TRANSACTIONAL_ID_PREFIX;
import static io.facestream.job.KafkaOptions.TRANSACTION_TIMEOUT;
import static io.facestream.job.KafkaOptions.TRACKS_TOPIC;
import static io.facestream.job.KafkaOptions.CROPS_TOPIC;
import static io.facestream.job.KafkaOptions.ANONYMIZED_TOPIC;

import io.facestream.config.OptionNames;
import io.facestream.config.OptionsBuilder;
import io.facestream.config.Options;
import io.facestream.config.Problems;
import io.facestream.kafka.KafkaClientConfig;
import io.facestream.registry.RegistryAuth;
import io.facestream.registry.RegistryConnection;
import io.facestream.registry.SecretReference;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where the job reads and writes: brokers, topics, input format, consumer group, the delivery
 * guarantee and its producer settings, and the value format (plain Avro, or the Confluent wire format
 * with a schema registry); the {@link KafkaOptions}, validated when read. {@link KafkaConnectors} makes the
 * job's source and sinks from them.
 *
 * @param options the {@link KafkaOptions} given, validated
 * @param registeredSchemas the ids the registry gave the output schemas; null until they are registered
 */
public record KafkaSettings(Configuration options, RegisteredSchemas registeredSchemasOrNull) implements Serializable {

    /** Brokers refuse transactions longer than transaction.max.timeout.ms, 15 minutes by default. */
    public static final Duration BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

    /** Where a consumer group without committed offsets starts. */
    public enum StartingOffsets { EARLIEST, LATEST, COMMITTED }

    /**
     * The schema ids a Confluent-compatible registry gave the result, dead-letter and track schemas (the last -1 without a tracks topic)
     * (subjects {@code <topic>-value}), which the sinks write into every value's header.
     */
    /** The ids of the output values' schemas; -1 for a topic that is not written. */
    public record RegisteredSchemas(int resultSchemaId, int deadLetterSchemaId, int trackSchemaId, int cropSchemaId,
                                    int anonymizedSchemaId) implements Serializable {}

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The settings the {@link KafkaOptions} in {@code config} give.
     *
     * @throws IllegalArgumentException naming every invalid option, as {@code names} spells it, and what to do
     */
    public static KafkaSettings from(ReadableConfig config, OptionNames names) {
        Problems problems = new Problems(names);
        Configuration options = Options.copy(config, KafkaOptions.ALL, problems);
        validate(options, problems);
        problems.throwIfAny("Invalid Kafka settings");
        return new KafkaSettings(options, null);
    }

    public String bootstrapServers() {
        return get(BOOTSTRAP_SERVERS);
    }

    public String inputTopic() {
        return get(INPUT_TOPIC);
    }

    public String outputTopic() {
        return get(OUTPUT_TOPIC);
    }

    public String deadLetterTopic() {
        return get(DEAD_LETTER_TOPIC);
    }

    /** The topic of track summaries; empty: they are not written. */
    public Optional<String> tracksTopic() {
        return options.getOptional(TRACKS_TOPIC);
    }

    /** The topic of face crops; empty: no crops are made. */
    public Optional<String> cropsTopic() {
        return options.getOptional(CROPS_TOPIC);
    }

    /** The topic of anonymized images; empty: none are made. */
    public Optional<String> anonymizedTopic() {
        return options.getOptional(ANONYMIZED_TOPIC);
    }

    /** The input's format, which anonymized images are written in too. */
    public InputFormat inputFormat() {
        return get(INPUT_FORMAT);
    }

    /** EXACTLY_ONCE or AT_LEAST_ONCE, for every sink. */
    public DeliveryGuarantee deliveryGuarantee() {
        return get(DELIVERY_GUARANTEE);
    }

    public Duration transactionTimeout() {
        return get(TRANSACTION_TIMEOUT);
    }

    /** The schema registry of the Confluent wire format; empty: values are plain Avro binary. */
    public Optional<String> schemaRegistryUrl() {
        return options.getOptional(SCHEMA_REGISTRY);
    }

    /** How to reach the schema registry, its credentials and trust store included; empty without {@code --schema-registry}. */
    public Optional<RegistryConnection> schemaRegistry() {
        return schemaRegistryUrl().map(url -> new RegistryConnection(url, get(SCHEMA_REGISTRY_AUTH),
                options.getOptional(SCHEMA_REGISTRY_CREDENTIALS).map(SecretReference::parse).orElse(null),
                options.getOptional(SCHEMA_REGISTRY_TRUSTSTORE).orElse(null),
                options.getOptional(SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD).map(SecretReference::parse).orElse(null)));
    }

    /** The ids the output values carry; empty until registered, and always without a registry. */
    public Optional<RegisteredSchemas> registeredSchemas() {
        return Optional.ofNullable(registeredSchemasOrNull);
    }

    /** These settings, writing values framed with the given schema ids (see {@link StartupChecks#registerSchemas}). */
    public KafkaSettings withRegisteredSchemas(RegisteredSchemas ids) {
        if (schemaRegistryUrl().isEmpty()) {
            throw new IllegalStateException("no --schema-registry is set: values are plain Avro and carry no schema id");
        }
        return new KafkaSettings(options, Objects.requireNonNull(ids));
    }

    <T> T get(ConfigOption<T> option) {
        return options.get(option);
    }

    /** The --kafka-config file's properties, overridden by those of {@code option} (consumer or producer properties). */
    Properties properties(ConfigOption<Map<String, String>> option) {
        return KafkaClientConfig.properties(options.get(KAFKA_CONFIG), options.getOptional(option).orElse(Map.of()));
    }

    /** The settings of an admin client at the brokers: the --kafka-config file's. */
    public Map<String, Object> adminConfig() {
        return KafkaClientConfig.of(bootstrapServers(), options.get(KAFKA_CONFIG), Map.of());
    }

    private static void validate(Configuration options, Problems problems) {
        String bootstrapServers = options.get(BOOTSTRAP_SERVERS);
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            problems.add(problems.name(BOOTSTRAP_SERVERS) + " is required: the Kafka brokers, e.g. localhost:9092");
        }
        for (ConfigOption<String> name : List.of(INPUT_TOPIC, OUTPUT_TOPIC, DEAD_LETTER_TOPIC, GROUP_ID)) {
            requireName(problems, name, options);
        }
        DeliveryGuarantee deliveryGuarantee = options.get(DELIVERY_GUARANTEE);
        if (deliveryGuarantee == DeliveryGuarantee.NONE) {
            problems.add(DELIVERY_GUARANTEE, "none", "choose exactly-once or at-least-once; without either a failure can lose results");
        }
        boolean exactlyOnce = deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE;
        if (exactlyOnce) {
            requireName(problems, TRANSACTIONAL_ID_PREFIX, options);
        }
        Map<String, String> producerProperties = options.getOptional(PRODUCER_PROPERTIES).orElse(Map.of());
        String acks = producerProperties.get(ProducerConfig.ACKS_CONFIG);
        if (acks != null && !acks.trim().equals("all") && !acks.trim().equals("-1")) {
            problems.add(PRODUCER_PROPERTIES, "acks=" + acks, "must be all (or -1), or a broker failure can lose "
                    + "results" + (exactlyOnce ? "; Kafka transactions refuse anything else" : ""));
        }
        String inputTopic = options.get(INPUT_TOPIC);
        Map<String, ConfigOption<String>> writtenTopics = new LinkedHashMap<>();
        for (ConfigOption<String> option : List.of(OUTPUT_TOPIC, DEAD_LETTER_TOPIC, TRACKS_TOPIC, CROPS_TOPIC, ANONYMIZED_TOPIC)) {
            String topic = options.get(option);
            if (topic == null) {
                continue;
            }
            if (topic.equals(inputTopic)) {
                problems.add(problems.name(INPUT_TOPIC) + " " + inputTopic + " must differ from the topics the job writes ("
                        + problems.name(option) + ")");
            } else if (topic.isBlank()) {
                problems.add(option, "''", "must name a topic");
            } else if (writtenTopics.containsKey(topic)) {
                problems.add(option, "'" + topic + "'", "must be a topic of its own, apart from "
                        + problems.name(writtenTopics.get(topic)));
            } else {
                writtenTopics.put(topic, option);
            }
        }
        Duration transactionTimeout = options.get(TRANSACTION_TIMEOUT);
        if (exactlyOnce && (transactionTimeout.isNegative() || transactionTimeout.isZero()
                || transactionTimeout.compareTo(BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT) > 0
                && !producerProperties.containsKey("transaction.timeout.ms"))) {
            problems.add(TRANSACTION_TIMEOUT, transactionTimeout, "must be positive and at most the brokers' "
                    + "transaction.max.timeout.ms (15 minutes by default), or the producer cannot start");
        }
        String schemaRegistryUrl = options.get(SCHEMA_REGISTRY);
        if (schemaRegistryUrl != null && !isHttpUrl(schemaRegistryUrl)) {
            problems.add(SCHEMA_REGISTRY, schemaRegistryUrl, "must be the http:// or https:// URL of a "
                    + "Confluent-compatible schema registry API, e.g. http://registry:8081 (Confluent) or "
                    + "http://registry:8080/apis/ccompat/v6 (Apicurio)");
        }
        validateRegistryAccess(options, problems);
        String kafkaConfig = options.get(KAFKA_CONFIG);
        if (kafkaConfig != null) {
            try {
                KafkaClientConfig.read(kafkaConfig);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage().replace("--kafka-config", problems.name(KAFKA_CONFIG)));
            }
        }
    }

    private static void validateRegistryAccess(Configuration options, Problems problems) {
        boolean registry = options.getOptional(SCHEMA_REGISTRY).isPresent();
        for (ConfigOption<?> option : List.of(SCHEMA_REGISTRY_CREDENTIALS, SCHEMA_REGISTRY_TRUSTSTORE, SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD)) {
            if (!registry && options.getOptional(option).isPresent()) {
                problems.add(option, option == SCHEMA_REGISTRY_TRUSTSTORE ? options.get(option) : "(not shown)",
                        "is for a schema registry, and no --schema-registry is set");
            }
        }
        for (ConfigOption<String> secret : List.of(SCHEMA_REGISTRY_CREDENTIALS, SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD)) {
            String reference = options.get(secret);
            if (reference != null) {
                try {
                    SecretReference.parse(reference);
                } catch (IllegalArgumentException e) {
                    // The value may be the secret itself, given by mistake: it is not repeated.
                    problems.add(secret, "(not shown)", e.getMessage());
                }
            }
        }
        RegistryAuth auth = options.get(SCHEMA_REGISTRY_AUTH);
        boolean credentials = options.getOptional(SCHEMA_REGISTRY_CREDENTIALS).isPresent();
        if (registry && auth != RegistryAuth.NONE && !credentials) {
            problems.add(SCHEMA_REGISTRY_AUTH, auth.name().toLowerCase(Locale.ROOT), "needs the secret's place: "
                    + "--schema-registry-credentials file:PATH or env:NAME");
        }
        if (registry && auth == RegistryAuth.NONE && credentials) {
            problems.add(SCHEMA_REGISTRY_CREDENTIALS, "(not shown)", "is set, but "
                    + "--schema-registry-auth is none: set it to basic or bearer");
        }
    }

    private static boolean isHttpUrl(String url) {
        try {
            URI uri = new URI(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null
                    && uri.getQuery() == null && uri.getFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static void requireName(Problems problems, ConfigOption<String> option, Configuration options) {
        String value = options.get(option);
        if (value == null || value.isBlank()) {
            problems.add(problems.name(option) + " must not be empty");
        }
    }

    /** Settings in code: each call sets one of the {@link KafkaOptions}; {@link #build()} validates, naming them as the command line does. */
    public static final class Builder extends OptionsBuilder<Builder> {

        public Builder bootstrapServers(String bootstrapServers) {
            return set(BOOTSTRAP_SERVERS, bootstrapServers);
        }

        public Builder inputTopic(String inputTopic) {
            return set(INPUT_TOPIC, inputTopic);
        }

        public Builder outputTopic(String outputTopic) {
            return set(OUTPUT_TOPIC, outputTopic);
        }

        public Builder deadLetterTopic(String deadLetterTopic) {
            return set(DEAD_LETTER_TOPIC, deadLetterTopic);
        }

        /** Where summaries of ended tracks go (with tracking on); null: nowhere. */
        public Builder tracksTopic(String tracksTopic) {
            return set(TRACKS_TOPIC, tracksTopic);
        }

        public Builder cropsTopic(String cropsTopic) {
            return set(CROPS_TOPIC, cropsTopic);
        }

        public Builder anonymizedTopic(String anonymizedTopic) {
            return set(ANONYMIZED_TOPIC, anonymizedTopic);
        }

        public Builder groupId(String groupId) {
            return set(GROUP_ID, groupId);
        }

        public Builder inputFormat(InputFormat inputFormat) {
            return set(INPUT_FORMAT, Objects.requireNonNull(inputFormat));
        }

        public Builder startingOffsets(StartingOffsets startingOffsets) {
            return set(STARTING_OFFSETS, Objects.requireNonNull(startingOffsets));
        }

        /** Stop at the input's latest offsets as of the job's start (batch-style runs and tests). */
        public Builder bounded(boolean bounded) {
            return set(BOUNDED, bounded);
        }

        /**
         * EXACTLY_ONCE (results visible when the checkpoint that commits them completes) or
         * AT_LEAST_ONCE (visible at once; a restart replays those since the last checkpoint).
         */
        public Builder deliveryGuarantee(DeliveryGuarantee deliveryGuarantee) {
            return set(DELIVERY_GUARANTEE, Objects.requireNonNull(deliveryGuarantee));
        }

        public Builder transactionalIdPrefix(String transactionalIdPrefix) {
            return set(TRANSACTIONAL_ID_PREFIX, transactionalIdPrefix);
        }

        public Builder transactionTimeout(Duration transactionTimeout) {
            return set(TRANSACTION_TIMEOUT, Objects.requireNonNull(transactionTimeout));
        }

        /** A Kafka client properties file for every client (security.protocol, sasl.*, ssl.*), or null. */
        public Builder kafkaConfig(String file) {
            return set(KAFKA_CONFIG, file);
        }

        public Builder consumerProperties(Map<String, String> properties) {
            Map<String, String> all = new LinkedHashMap<>(options.getOptional(CONSUMER_PROPERTIES).orElse(Map.of()));
            all.putAll(properties);
            return set(CONSUMER_PROPERTIES, all);
        }

        public Builder producerProperties(Map<String, String> properties) {
            Map<String, String> all = new LinkedHashMap<>(options.getOptional(PRODUCER_PROPERTIES).orElse(Map.of()));
            all.putAll(properties);
            return set(PRODUCER_PROPERTIES, all);
        }

        /**
         * Write results and dead letters in the Confluent wire format, their schemas registered at
         * this Confluent-compatible registry, and read Avro image events in that format; null: plain Avro.
         */
        public Builder schemaRegistry(String url) {
            return set(SCHEMA_REGISTRY, url);
        }

        /** How the job authenticates to the registry, and where the secret is: {@code file:PATH} or {@code env:NAME}. */
        public Builder schemaRegistryAuth(RegistryAuth auth, String credentials) {
            set(SCHEMA_REGISTRY_AUTH, auth);
            return set(SCHEMA_REGISTRY_CREDENTIALS, credentials);
        }

        /** The certificates to trust for an https registry (PEM, PKCS12 or JKS), and where the store's password is, or null. */
        public Builder schemaRegistryTruststore(String truststore, String password) {
            set(SCHEMA_REGISTRY_TRUSTSTORE, truststore);
            return set(SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD, password);
        }

        public KafkaSettings build() {
            return from(options, OptionNames.FLAGS);
        }
    }
}
