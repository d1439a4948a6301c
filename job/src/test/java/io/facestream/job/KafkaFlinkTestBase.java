package io.facestream.job;

import io.facestream.avro.ImageEvent;
import io.facestream.kafka.EmbeddedKafkaBroker;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Integration tests share one Flink MiniCluster and one real in-process Kafka broker per JVM.
 * Each test uses topics of its own.
 */
public abstract class KafkaFlinkTestBase {

    public static final int PARALLELISM = 2;

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(PARALLELISM)
            .setConfiguration(clusterConfiguration())
            .build());

    @RegisterExtension
    static final org.junit.jupiter.api.extension.BeforeAllCallback BROKER = KafkaFlinkTestBase::startBrokerOnce;

    private static EmbeddedKafkaBroker broker;

    private static synchronized void startBrokerOnce(ExtensionContext context) throws Exception {
        if (broker == null) {
            // Large enough for the oversize-image tests, as a deployment raising the limit would be.
            broker = EmbeddedKafkaBroker.start(Map.of("message.max.bytes", Integer.toString(16 * 1024 * 1024)));
            EmbeddedKafkaBroker started = broker;
            context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                    .put("facestream-broker", (ExtensionContext.Store.CloseableResource) started::close);
        }
    }

    /** Lets tests read their jobs' metrics back through {@link CollectingMetricReporter}. */
    private static Configuration clusterConfiguration() {
        Configuration config = new Configuration();
        MetricOptions.forReporter(config, "collecting")
                .set(MetricOptions.REPORTER_FACTORY_CLASS, CollectingMetricReporter.Factory.class.getName());
        return config;
    }

    protected static EmbeddedKafkaBroker broker() {
        return broker;
    }

    protected static String uniqueTopic(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** A test environment: no restarts (a failure fails the test), fast checkpoints. */
    protected static StreamExecutionEnvironment testEnvironment() {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        FaceStreamJob.configure(env, Duration.ofMillis(500));
        return env;
    }

    protected static void produce(String topic, List<ProducerRecord<byte[], byte[]>> records)
            throws ExecutionException, InterruptedException {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 * 1024 * 1024), new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> record : records) {
                producer.send(record).get();
            }
        }
    }

    /**
     * Everything committed in {@code topic} when called: a read_committed consumer reads every
     * partition from the start up to its last stable offset.
     */
    protected static List<ConsumerRecord<byte[], byte[]>> consumeCommitted(String topic) {
        return consumeCommitted(broker.bootstrapServers(), topic);
    }

    /** As {@link #consumeCommitted(String)}, from the brokers at {@code bootstrapServers} (a test's own). */
    protected static List<ConsumerRecord<byte[], byte[]>> consumeCommitted(String bootstrapServers, String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            }
        }
        return records;
    }

    /** The Avro records committed in {@code topic} when called (see {@link #consumeCommitted}). */
    protected static <T extends SpecificRecord> List<T> read(String topic, Class<T> type) {
        List<T> values = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : consumeCommitted(topic)) {
            try {
                values.add(AvroCodec.decode(record.value(), type));
            } catch (IOException | RuntimeException e) {
                throw new AssertionError("unreadable record in " + topic, e);
            }
        }
        return values;
    }

    /** An image event with these bytes, keyed by its id. */
    protected static ProducerRecord<byte[], byte[]> avroRecord(String topic, String id, byte[] image) {
        ImageEvent event = ImageEvent.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.now())
                .setImageBytes(ByteBuffer.wrap(image))
                .build();
        return new ProducerRecord<>(topic, bytes(id), AvroCodec.encode(event));
    }

    protected static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
