package io.facestream.job;

import static io.facestream.job.KafkaOptions.BOUNDED;
import static io.facestream.job.KafkaOptions.CONSUMER_PROPERTIES;
import static io.facestream.job.KafkaOptions.GROUP_ID;
import static io.facestream.job.KafkaOptions.INPUT_FORMAT;
import static io.facestream.job.KafkaOptions.PRODUCER_PROPERTIES;
import static io.facestream.job.KafkaOptions.STARTING_OFFSETS;
import static io.facestream.job.KafkaOptions.TRANSACTIONAL_ID_PREFIX;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.ImageEvent;
import io.facestream.registry.ConfluentAvroSerializationSchema;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.function.ToIntFunction;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.HeaderProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.formats.avro.AvroSerializationSchema;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** The job's Kafka source and sinks, made from its {@link KafkaSettings}. */
public final class KafkaConnectors {

    private KafkaConnectors() {}

    public static KafkaSource<SourcedImageEvent> source(KafkaSettings settings) {
        OffsetsInitializer start = switch (settings.get(STARTING_OFFSETS)) {
            case EARLIEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            case LATEST -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.LATEST);
            case COMMITTED -> OffsetsInitializer.committedOffsets();
        };
        var builder = KafkaSource.<SourcedImageEvent>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setTopics(settings.inputTopic())
                .setGroupId(settings.get(GROUP_ID))
                .setStartingOffsets(start)
                .setDeserializer(new ImageEventDeserializer(settings.get(INPUT_FORMAT), settings.schemaRegistry().orElse(null)))
                .setProperties(consumerConfig(settings));
        if (settings.get(BOUNDED)) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * Results keyed by event id: exactly-once, in transactions committed at each checkpoint;
     * at-least-once, as soon as they are ready (a restart may write them again, under the same key).
     */
    public static KafkaSink<FaceDetectionResult> resultSink(KafkaSettings settings) {
        return sink(settings, settings.outputTopic(), "-detections", FaceDetectionResult::getEventId,
                valueSerializer(settings, FaceDetectionResult.class, KafkaSettings.RegisteredSchemas::resultSchemaId));
    }

    /** Dead letters keyed by event id (null when unknown), delivered as the results are. */
    public static KafkaSink<DeadLetter> deadLetterSink(KafkaSettings settings) {
        return sink(settings, settings.deadLetterTopic(), "-dead-letters", DeadLetter::getEventId,
                valueSerializer(settings, DeadLetter.class, KafkaSettings.RegisteredSchemas::deadLetterSchemaId));
    }

    /** Summaries of ended tracks keyed by their source, so that one camera's tracks stay in order in a partition. */
    public static KafkaSink<FaceTrack> tracksSink(KafkaSettings settings) {
        String topic = settings.tracksTopic().orElseThrow(() -> new IllegalStateException("no --tracks-topic is set"));
        return sink(settings, topic, "-tracks", FaceTrack::getSource,
                valueSerializer(settings, FaceTrack.class, KafkaSettings.RegisteredSchemas::trackSchemaId));
    }

    /** Face crops keyed by event id, so that one image's crops stay together in a partition. */
    public static KafkaSink<FaceCrop> cropsSink(KafkaSettings settings) {
        String topic = settings.cropsTopic().orElseThrow(() -> new IllegalStateException("no --crops-topic is set"));
        return sink(settings, topic, "-crops", FaceCrop::getEventId,
                valueSerializer(settings, FaceCrop.class, KafkaSettings.RegisteredSchemas::cropSchemaId));
    }

    /**
     * Anonymized images keyed by event id, in the input's format: ImageEvent records, or (raw input) the
     * image bytes with a {@value ImageEventDeserializer#CONTENT_TYPE_HEADER} header.
     */
    public static KafkaSink<ImageEvent> anonymizedSink(KafkaSettings settings) {
        String topic = settings.anonymizedTopic().orElseThrow(() -> new IllegalStateException("no --anonymized-topic is set"));
        if (settings.inputFormat() == InputFormat.AVRO) {
            return sink(settings, topic, "-anonymized", ImageEvent::getEventId,
                    valueSerializer(settings, ImageEvent.class, KafkaSettings.RegisteredSchemas::anonymizedSchemaId));
        }
        return sink(settings, topic, "-anonymized", ImageEvent::getEventId, new RawImage(), KafkaConnectors::contentTypeHeader);
    }

    /** What a record holds besides its image: key, headers, an ImageEvent's or FaceCrop's other fields, batch framing. */
    static final int RECORD_OVERHEAD_BYTES = 64 * 1024;

    /**
     * The most bytes an anonymized image or crop may have for the sinks' producers to send it: their
     * max.request.size (Kafka's default, or --producer-property) less {@value #RECORD_OVERHEAD_BYTES} for the rest
     * of the record. A record over it would fail the sink, and the job with it, on every restart.
     */
    public static long maxImageBytes(KafkaSettings settings) {
        Object configured = producerConfig(settings).get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        long maxRequestSize = configured != null ? Long.parseLong(configured.toString().trim())
                : ((Number) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG)).longValue();
        return Math.max(1, maxRequestSize - RECORD_OVERHEAD_BYTES);
    }

    private static Headers contentTypeHeader(ImageEvent event) {
        return new RecordHeaders().add(ImageEventDeserializer.CONTENT_TYPE_HEADER,
                event.getContentType().getBytes(StandardCharsets.UTF_8));
    }

    /** An image event's image as a raw record's value; a class, not a lambda, so that Flink can tell its type. */
    private static final class RawImage implements SerializationSchema<ImageEvent> {
        private static final long serialVersionUID = 1L;

        @Override
        public byte[] serialize(ImageEvent event) {
            return DeadLetters.bytes(event.getImageBytes());
        }
    }

    private static <T extends SpecificRecord> SerializationSchema<T> valueSerializer(KafkaSettings settings,
            Class<T> type, ToIntFunction<KafkaSettings.RegisteredSchemas> schemaId) {
        if (settings.schemaRegistryUrl().isEmpty()) {
            return AvroSerializationSchema.forSpecific(type);
        }
        if (settings.registeredSchemasOrNull() == null) {
            throw new IllegalStateException("--schema-registry is set but the output schemas are not registered yet: "
                    + "build the job with the settings StartupChecks.registerSchemas returns");
        }
        return new ConfluentAvroSerializationSchema<>(type, schemaId.applyAsInt(settings.registeredSchemasOrNull()));
    }

    private static <T extends SpecificRecord> KafkaSink<T> sink(KafkaSettings settings, String topic, String transactionalIdSuffix,
                                                         EventIdOf<T> eventId, SerializationSchema<T> valueSerializer) {
        return sink(settings, topic, transactionalIdSuffix, eventId, valueSerializer, null);
    }

    /** @param headers the headers of a record; null: none */
    private static <T extends SpecificRecord> KafkaSink<T> sink(KafkaSettings settings, String topic, String transactionalIdSuffix,
                                                         EventIdOf<T> eventId, SerializationSchema<T> valueSerializer,
                                                         HeaderProvider<T> headers) {
        var serializer = KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setKeySerializationSchema(record -> {
                    String id = eventId.of(record);
                    return id == null ? null : id.getBytes(StandardCharsets.UTF_8);
                })
                .setValueSerializationSchema(valueSerializer);
        if (headers != null) {
            serializer.setHeaderProvider(headers);
        }
        var builder = KafkaSink.<T>builder()
                .setBootstrapServers(settings.bootstrapServers())
                .setRecordSerializer(serializer.build())
                .setDeliveryGuarantee(settings.deliveryGuarantee())
                .setKafkaProducerConfig(producerConfig(settings));
        if (settings.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            builder.setTransactionalIdPrefix(settings.get(TRANSACTIONAL_ID_PREFIX) + transactionalIdSuffix);
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
    static Properties consumerConfig(KafkaSettings settings) {
        Properties config = settings.properties(CONSUMER_PROPERTIES);
        // An upstream's aborted transactions are not images to detect.
        config.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
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
    static Properties producerConfig(KafkaSettings settings) {
        Properties config = settings.properties(PRODUCER_PROPERTIES);
        config.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(PRODUCER_BATCH_BYTES));
        if (settings.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE) {
            config.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(settings.transactionTimeout().toMillis()));
            config.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, Integer.toString(PRODUCER_LINGER_MS));
        } else {
            // Kafka's defaults today, said explicitly: a write the leader alone holds can be lost with it, and retries
            // without idempotence can reorder or duplicate a partition's records within one run.
            config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
            config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        }
        return config;
    }
}
