package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.registry.ConfluentAvroSerializationSchema;
import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.function.ToIntFunction;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Where the job reads and writes: brokers, topics, input format, consumer group, the
 * delivery guarantee and its producer settings, and the value format (plain Avro, or the Confluent wire format
 * with a schema registry). Validated when built; makes the job's Kafka source and sinks.
 */
public final class KafkaSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Brokers refuse transactions longer than transaction.max.timeout.ms, 15 minutes by default. */
    public static final Duration BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);
    public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(10);

    public static final String DEFAULT_INPUT_TOPIC = "facestream.images";
    public static final String DEFAULT_OUTPUT_TOPIC = "facestream.detections";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "facestream.dead-letters";
    /** As the command line spells it (Flink's enum name in lower case, '-' for '_'). */
    public static final String DEFAULT_DELIVERY_GUARANTEE = "exactly-once";

    /** Where a consumer group without committed offsets starts. */
    public enum StartingOffsets { EARLIEST, LATEST, COMMITTED }

    private final String bootstrapServers;
    private final String inputTopic;
    private final String outputTopic;
    private final String deadLetterTopic;
    private final String groupId;
    private final InputFormat inputFormat;
    private final StartingOffsets startingOffsets;
    private final boolean bounded;
    private final DeliveryGuarantee deliveryGuarantee;
    private final String transactionalIdPrefix;
    private final long transactionTimeoutMillis;
    private final Map<String, String> consumerProperties;
    private final Map<String, String> producerProperties;
    /** Null: values are plain Avro binary. */
    private final String schemaRegistryUrl;
    /** The ids the registry gave the output schemas; null until they are registered. */
    private final RegisteredSchemas registeredSchemas;

    private KafkaSettings(Builder b) {
        this.bootstrapServers = b.bootstrapServers;
        this.inputTopic = b.inputTopic;
        this.outputTopic = b.outputTopic;
        this.deadLetterTopic = b.deadLetterTopic;
        this.groupId = b.groupId;
        this.inputFormat = b.inputFormat;
        this.startingOffsets = b.startingOffsets;
        this.bounded = b.bounded;
        this.deliveryGuarantee = b.deliveryGuarantee;
        this.transactionalIdPrefix = b.transactionalIdPrefix;
        this.transactionTimeoutMillis = b.transactionTimeout.toMillis();
        this.consumerProperties = new LinkedHashMap<>(b.consumerProperties);
        this.producerProperties = new LinkedHashMap<>(b.producerProperties);
        this.schemaRegistryUrl = b.schemaRegistryUrl;
        this.registeredSchemas = null;
    }

    private KafkaSettings(KafkaSettings base, RegisteredSchemas registeredSchemas) {
        this.bootstrapServers = base.bootstrapServers;
        this.inputTopic = base.inputTopic;
        this.outputTopic = base.outputTopic;
        this.deadLetterTopic = base.deadLetterTopic;
        this.groupId = base.groupId;
        this.inputFormat = base.inputFormat;
        this.startingOffsets = base.startingOffsets;
        this.bounded = base.bounded;
        this.deliveryGuarantee = base.deliveryGuarantee;
        this.transactionalIdPrefix = base.transactionalIdPrefix;
        this.transactionTimeoutMillis = base.transactionTimeoutMillis;
        this.consumerProperties = base.consumerProperties;
        this.producerProperties = base.producerProperties;
        this.schemaRegistryUrl = base.schemaRegistryUrl;
        this.registeredSchemas = registeredSchemas;
    }

    /**
     * The schema ids a Confluent-compatible registry gave the result and dead-letter schemas
     * (subjects {@code <topic>-value}), which the sinks write into every value's header.
     */
    public record RegisteredSchemas(int resultSchemaId, int deadLetterSchemaId) implements Serializable {}

    public static Builder builder() {
        return new Builder();
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String inputTopic() {
        return inputTopic;
    }

    public String outputTopic() {
        return outputTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    /** EXACTLY_ONCE or AT_LEAST_ONCE, for both sinks. */
    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    public Duration transactionTimeout() {
        return Duration.ofMillis(transactionTimeoutMillis);
    }

    /** The schema registry of the Confluent wire format; empty: values are plain Avro binary. */
    public Optional<String> schemaRegistryUrl() {
        return Optional.ofNullable(schemaRegistryUrl);
    }

    /** The ids the output values carry; empty until registered, and always without a registry. */
    public Optional<RegisteredSchemas> registeredSchemas() {
        return Optional.ofNullable(registeredSchemas);
    }

    /** These settings, writing values framed with the given schema ids (see {@link StartupChecks#registerSchemas}). */
    public KafkaSettings withRegisteredSchemas(RegisteredSchemas ids) {
        if (schemaRegistryUrl == null) {
            throw new IllegalStateException("no --schema-registry is set: values are plain Avro and carry no schema id");
        }
        return new KafkaSettings(this, Objects.requireNonNull(ids));
    }

    public KafkaSource<SourcedImageEvent> source() {
        OffsetsInitializer start = switch (startingOffsets) {
            case EARLIEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case LATEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
            case COMMITTED -> OffsetsInitializer.committedOffsets();
        };
        var builder = KafkaSource.<SourcedImageEvent>builder()
                .setBootstrapServers(bootstrapServers)
                .setTopics(inputTopic)
                .setGroupId(groupId)
                .setStartingOffsets(start)
                .setDeserializer(new ImageEventDeserializer(inputFormat, schemaRegistryUrl))
                .setProperties(consumerConfig());
        if (bounded) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Results keyed by event id: exactly-once, in transactions committed at each checkpoint;
     * at-least-once, as soon as they are ready (a restart may write them again, under the same key).
     */
    public KafkaSink<FaceDetectionResult> resultSink() {
        return sink(outputTopic, "-detections", FaceDetectionResult::getEventId,
                valueSerializer(FaceDetectionResult.class, RegisteredSchemas::resultSchemaId));
    }

    /** Dead letters keyed by event id (null when unknown), delivered as the results are. */
    public KafkaSink<DeadLetter> deadLetterSink() {
        return sink(deadLetterTopic, "-dead-letters", DeadLetter::getEventId,
                valueSerializer(DeadLetter.class, RegisteredSchemas::deadLetterSchemaId));
    }

    private <T extends SpecificRecord> SerializationSchema<T> valueSerializer(
            Class<T> type, ToIntFunction<RegisteredSchemas> schemaId) {
        if (schemaRegistryUrl == null) {
            return AvroSerializationSchema.forSpecific(type);
        }
        if (registeredSchemas == null) {
            throw new IllegalStateException("--schema-registry is set but the output schemas are not registered yet: "
                    + "build the job with the settings StartupChecks.registerSchemas returns");
        }
        return new ConfluentAvroSerializationSchema<>(type, schemaId.applyAsInt(registeredSchemas));
    }

    private <T extends SpecificRecord> KafkaSink<T> sink(String topic, String transactionalIdSuffix,
                                                         EventIdOf<T> eventId, SerializationSchema<T> valueSerializer) {
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(bootstrapServers)
                .setRecordSerializer(KafkaRecordSerializationSchema.<T>builder()
                        .setTopic(topic)
                        .setKeySerializationSchema(record -> {
                            String id = eventId.of(record);
                            return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
                        })
                        .setValueSerializationSchema(valueSerializer)
                        .build())
                .setDeliveryGuarantee(deliveryGuarantee)
                .setKafkaProducerConfig(producerConfig());
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(transactionalIdPrefix + transactionalIdSuffix);
        }
        return builder.build();
    }

    /** Serializable accessor of a record's event id, for the record key. */
    @FunctionalInterface
    private interface EventIdOf<T> extends Serializable {
        String of(T record);
    }

    /**
     * The source's consumer fetches up to {@value #CONSUMER_PARTITION_FETCH_BYTES} bytes of a
     * partition per request unless --consumer-property says otherwise: Kafka's default of 1 MiB
     * holds only about four 1080p JPEG events, so the fetcher thread and the broker handled a
     * request for every few images.
     */
    public static final int CONSUMER_PARTITION_FETCH_BYTES = 4 * 1024 * 1024;

    /** The source's consumer settings (package-private for tests). */
    Properties consumerConfig() {
        Properties config = properties(consumerProperties);
        config.putIfAbsent(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, Integer.toString(CONSUMER_PARTITION_FETCH_BYTES));
        return config;
    }

    /**
     * With exactly-once delivery the sinks' producers send at most every {@value #PRODUCER_LINGER_MS} ms,
     * in batches of up to {@value #PRODUCER_BATCH_BYTES} bytes per partition, unless --producer-property
     * says otherwise: results become visible only when the checkpoint commits their transaction, which
     * flushes them first, so waiting longer costs a read_committed reader nothing, while Kafka's defaults
     * (5 ms, 16 KB) sent a request for nearly every result. At-least-once keeps Kafka's 5 ms linger:
     * there the wait would be the reader's latency.
     */
    public static final int PRODUCER_LINGER_MS = 100;
    public static final int PRODUCER_BATCH_BYTES = 256 * 1024;

    /** The sinks' producer settings, over the user's --producer-property values where they leave them open. */
    Properties producerConfig() {
        Properties config = properties(producerProperties);
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(PRODUCER_BATCH_BYTES));
        if (deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE) {
            config.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(transactionTimeoutMillis));
            config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(PRODUCER_LINGER_MS));
        } else {
            // Kafka's defaults today, said explicitly: a write the leader alone holds can be lost with it, and retries
            // without idempotence can reorder or duplicate a partition's records within one run.
            config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
            config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        }
        return config;
    }

    private static Properties properties(Map<String, String> values) {
        Properties properties = new Properties();
        properties.putAll(values);
        return properties;
    }

    public static final class Builder {
        private String bootstrapServers;
        private String inputTopic = DEFAULT_INPUT_TOPIC;
        private String outputTopic = DEFAULT_OUTPUT_TOPIC;
        private String deadLetterTopic = DEFAULT_DEAD_LETTER_TOPIC;
        private String groupId = "facestream";
        private InputFormat inputFormat = InputFormat.AVRO;
        private StartingOffsets startingOffsets = StartingOffsets.EARLIEST;
        private boolean bounded;
        private DeliveryGuarantee deliveryGuarantee =
                DeliveryGuarantee.valueOf(DEFAULT_DELIVERY_GUARANTEE.toUpperCase(Locale.ROOT).replace('-', '_'));
        private String transactionalIdPrefix = "facestream";
        private Duration transactionTimeout = DEFAULT_TRANSACTION_TIMEOUT;
        private final Map<String, String> consumerProperties = new LinkedHashMap<>();
        private final Map<String, String> producerProperties = new LinkedHashMap<>();
        private String schemaRegistryUrl;

        public Builder bootstrapServers(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
            return this;
        }

        public Builder inputTopic(String inputTopic) {
            this.inputTopic = inputTopic;
            return this;
        }

        public Builder outputTopic(String outputTopic) {
            this.outputTopic = outputTopic;
            return this;
        }

        public Builder deadLetterTopic(String deadLetterTopic) {
            this.deadLetterTopic = deadLetterTopic;
            return this;
        }

        public Builder groupId(String groupId) {
            this.groupId = groupId;
            return this;
        }

        public Builder inputFormat(InputFormat inputFormat) {
            this.inputFormat = Objects.requireNonNull(inputFormat);
            return this;
        }

        public Builder startingOffsets(StartingOffsets startingOffsets) {
            this.startingOffsets = Objects.requireNonNull(startingOffsets);
            return this;
        }

        /** Stop at the input's latest offsets as of the job's start (batch-style runs and tests). */
        public Builder bounded(boolean bounded) {
            this.bounded = bounded;
            return this;
        }

        /**
         * EXACTLY_ONCE (results visible when the checkpoint that commits them completes) or
         * AT_LEAST_ONCE (visible at once; a restart replays those since the last checkpoint).
         */
        public Builder deliveryGuarantee(DeliveryGuarantee deliveryGuarantee) {
            this.deliveryGuarantee = Objects.requireNonNull(deliveryGuarantee);
            return this;
        }

        public Builder transactionalIdPrefix(String transactionalIdPrefix) {
            this.transactionalIdPrefix = transactionalIdPrefix;
            return this;
        }

        public Builder transactionTimeout(Duration transactionTimeout) {
            this.transactionTimeout = Objects.requireNonNull(transactionTimeout);
            return this;
        }

        public Builder consumerProperties(Map<String, String> properties) {
            consumerProperties.putAll(properties);
            return this;
        }

        public Builder producerProperties(Map<String, String> properties) {
            producerProperties.putAll(properties);
            return this;
        }

        /**
         * Write results and dead letters in the Confluent wire format, their schemas registered at
         * this Confluent-compatible registry, and read Avro image events in that format; null: plain Avro.
         */
        public Builder schemaRegistry(String url) {
            this.schemaRegistryUrl = url;
            return this;
        }

        public KafkaSettings build() {
            List<String> problems = new ArrayList<>();
            if (bootstrapServers == null || bootstrapServers.isBlank()) {
                problems.add("--bootstrap-servers is required: the Kafka brokers, e.g. localhost:9092");
            }
            requireName(problems, "--input-topic", inputTopic);
            requireName(problems, "--output-topic", outputTopic);
            requireName(problems, "--dead-letter-topic", deadLetterTopic);
            requireName(problems, "--group-id", groupId);
            if (deliveryGuarantee == DeliveryGuarantee.NONE) {
                problems.add("--delivery-guarantee none: choose exactly-once or at-least-once; "
                        + "without either a failure can lose results");
            }
            boolean exactlyOnce = deliveryGuarantee == DeliveryGuarantee.EXACTLY_ONCE;
            if (exactlyOnce) {
                requireName(problems, "--transactional-id-prefix", transactionalIdPrefix);
            }
            String acks = producerProperties.get(ProducerConfig.ACKS_CONFIG);
            if (acks != null && !acks.trim().equals("all") && !acks.trim().equals("-1")) {
                problems.add("--producer-property acks=" + acks + ": must be all (or -1), or a broker failure can lose "
                        + "results" + (exactlyOnce ? "; Kafka transactions refuse anything else" : ""));
            }
            if (inputTopic != null && (inputTopic.equals(outputTopic) || inputTopic.equals(deadLetterTopic))) {
                problems.add("--input-topic " + inputTopic + " must differ from the output and dead-letter topics");
            }
            if (exactlyOnce && (transactionTimeout.isNegative() || transactionTimeout.isZero()
                    || transactionTimeout.compareTo(BROKER_DEFAULT_MAX_TRANSACTION_TIMEOUT) > 0
                    && !producerProperties.containsKey("transaction.timeout.ms"))) {
                problems.add("--transaction-timeout " + transactionTimeout + ": must be positive and at most the brokers' "
                        + "transaction.max.timeout.ms (15 minutes by default), or the producer cannot start");
            }
            if (schemaRegistryUrl != null && !isHttpUrl(schemaRegistryUrl)) {
                problems.add("--schema-registry " + schemaRegistryUrl + ": must be the http:// or https:// URL of a "
                        + "Confluent-compatible schema registry API, e.g. http://registry:8081 (Confluent) or "
                        + "http://registry:8080/apis/ccompat/v6 (Apicurio)");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid Kafka settings:\n  " + String.join("\n  ", problems));
            }
            return new KafkaSettings(this);
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

        private static void requireName(List<String> problems, String flag, String value) {
            if (value == null || value.isBlank()) {
                problems.add(flag + " must not be empty");
            }
        }
    }
}
