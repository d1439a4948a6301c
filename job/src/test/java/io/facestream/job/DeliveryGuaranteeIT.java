package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.detect.TestImages;
import io.facestream.schemas.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * With checkpoints an hour apart, at-least-once results and dead letters reach read_committed
 * consumers within seconds, keyed by event id, while exactly-once ones stay in an open transaction
 * until a checkpoint commits them.
 */
@Timeout(120)
class DeliveryGuaranteeIT extends KafkaFlinkTestBase {

    private static final Duration SECONDS = Duration.ofSeconds(30);

    @Test
    void atLeastOnceOutcomesAreVisibleAtOnceAndARestartRepeatsThemUnderTheSameKeys() throws Exception {
        String input = uniqueTopic("at-least-once");
        KafkaSettings kafka = settings(input, DeliveryGuarantee.AT_LEAST_ONCE);
        produceChrisAndAnEmptyRecord(input);

        JobClient job = start(kafka);
        try {
            List<ConsumerRecord<byte[], byte[]>> results = await(kafka.outputTopic(), "read_committed", 1);
            List<ConsumerRecord<byte[], byte[]>> deadLetters = await(kafka.deadLetterTopic(), "read_committed", 1);
            assertThat(results).hasSize(1);
            assertThat(key(results.get(0))).isEqualTo("chris");
            FaceDetectionResult result = AvroCodec.decode(results.get(0).value(), FaceDetectionResult.class);
            assertThat(result.getEventId()).isEqualTo("chris");
            assertThat(result.getFaces()).hasSize(1);
            assertThat(deadLetters).hasSize(1);
            assertThat(key(deadLetters.get(0))).isEqualTo("empty");
            assertThat(AvroCodec.decode(deadLetters.get(0).value(), DeadLetter.class).getReason())
                    .isEqualTo(DeadLetterReason.EMPTY_PAYLOAD);
        } finally {
            job.cancel().get();
        }

        // No checkpoint has committed the source's offsets: the next run reads the events again.
        JobClient again = start(kafka);
        try {
            List<ConsumerRecord<byte[], byte[]>> results = await(kafka.outputTopic(), "read_committed", 2);
            List<ConsumerRecord<byte[], byte[]>> deadLetters = await(kafka.deadLetterTopic(), "read_committed", 2);
            assertThat(results).extracting(DeliveryGuaranteeIT::key).containsExactly("chris", "chris");
            assertThat(deadLetters).extracting(DeliveryGuaranteeIT::key).containsExactly("empty", "empty");
        } finally {
            again.cancel().get();
        }
    }

    @Test
    void exactlyOnceOutcomesWaitForTheCheckpointThatCommitsThem(@InjectClusterClient ClusterClient<?> cluster) throws Exception {
        String input = uniqueTopic("exactly-once");
        KafkaSettings kafka = settings(input, DeliveryGuarantee.EXACTLY_ONCE);
        produceChrisAndAnEmptyRecord(input);

        JobClient job = start(kafka);
        try {
            // Written, in transactions still open ...
            assertThat(await(kafka.outputTopic(), "read_uncommitted", 1)).extracting(DeliveryGuaranteeIT::key).containsExactly("chris");
            assertThat(await(kafka.deadLetterTopic(), "read_uncommitted", 1)).extracting(DeliveryGuaranteeIT::key).containsExactly("empty");
            // ... so invisible to read_committed consumers,
            assertThat(consumeCommitted(kafka.outputTopic())).isEmpty();
            assertThat(consumeCommitted(kafka.deadLetterTopic())).isEmpty();

            // until a checkpoint commits them.
            cluster.triggerCheckpoint(job.getJobID(), CheckpointType.DEFAULT).get();
            assertThat(await(kafka.outputTopic(), "read_committed", 1)).extracting(DeliveryGuaranteeIT::key).containsExactly("chris");
            assertThat(await(kafka.deadLetterTopic(), "read_committed", 1)).extracting(DeliveryGuaranteeIT::key).containsExactly("empty");
        } finally {
            job.cancel().get();
        }
    }

    private static KafkaSettings settings(String input, DeliveryGuarantee guarantee) {
        KafkaSettings kafka = KafkaSettings.builder()
                .bootstrapServers(broker().bootstrapServers())
                .inputTopic(input)
                .outputTopic(input + "-detections")
                .deadLetterTopic(input + "-dead-letters")
                .groupId(input)
                .transactionalIdPrefix(input)
                .deliveryGuarantee(guarantee)
                .build();
        broker().createTopics(2, kafka.inputTopic(), kafka.outputTopic(), kafka.deadLetterTopic());
        return kafka;
    }

    private static void produceChrisAndAnEmptyRecord(String input) throws Exception {
        produce(input, List.of(avroRecord(input, "chris", TestImages.photo("Chris.jpeg")),
                new ProducerRecord<>(input, bytes("empty"), new byte[0])));
    }

    /** The job with a checkpoint an hour away at the earliest. */
    private static JobClient start(KafkaSettings kafka) throws Exception {
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(PARALLELISM);
        FaceStreamJob.configure(env, Duration.ofHours(1));
        // Flink schedules the first checkpoint at a random time between the minimum pause and the interval.
        env.getCheckpointConfig().setMinPauseBetweenCheckpoints(Duration.ofHours(1).toMillis());
        FaceStreamJob.onKafka(kafka, FaceDetectionSettings.defaults()).build(env);
        return env.executeAsync("DeliveryGuaranteeIT " + kafka.inputTopic());
    }

    /** The first {@code count} records of {@code topic} this isolation level lets a consumer see, waiting up to 30 s. */
    private static List<ConsumerRecord<byte[], byte[]>> await(String topic, String isolation, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + SECONDS.toNanos();
            while (records.size() < count && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    private static String key(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
    }
}
