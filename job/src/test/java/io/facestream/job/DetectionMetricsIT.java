package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.StageTimings;
import io.facestream.detect.GoldenDetections;
import io.facestream.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.ToLongFunction;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job on a real broker and MiniCluster: the metrics, read back under the names Prometheus
 * shows, count what the job wrote to its output and dead-letter topics.
 */
@Timeout(300)
class DetectionMetricsIT extends KafkaFlinkTestBase {

    private static final String PREFIX = "flink_taskmanager_job_task_operator_facestream_";

    @Test
    void metricsCountTheResultsFacesAndDeadLettersTheJobWrote() throws Exception {
        String input = uniqueTopic("metrics");
        String output = input + "-detections";
        String deadLetterTopic = input + "-dead-letters";
        broker().createTopics(2, input, output, deadLetterTopic);

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String name : GoldenDetections.load().keySet()) {
            records.add(avroRecord(input, name, Files.readAllBytes(GoldenDetections.testdata().resolve(name))));
        }
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        Random random = new Random(7);
        records.add(avroRecord(input, "truncated", Arrays.copyOf(chris, chris.length / 2)));
        for (String id : List.of("random-1", "random-2")) {
            byte[] noise = new byte[2048];
            random.nextBytes(noise);
            records.add(new ProducerRecord<>(input, bytes(id), noise));
        }
        records.add(new ProducerRecord<>(input, bytes("empty"), new byte[0]));
        records.add(new ProducerRecord<>(input, bytes("no-id"), AvroCodec.encode(ImageEvent.newBuilder().setEventId("")
                .setEventTime(Instant.now()).setImageBytes(ByteBuffer.wrap(chris)).build())));
        records.add(new ProducerRecord<>(input, bytes("no-image"), AvroCodec.encode(ImageEvent.newBuilder()
                .setEventId("no-image").setEventTime(Instant.now()).build())));
        produce(input, records);

        String jobName = "DetectionMetricsIT " + input;
        KafkaSettings kafka = KafkaSettings.builder()
                .bootstrapServers(broker().bootstrapServers())
                .inputTopic(input)
                .outputTopic(output)
                .deadLetterTopic(deadLetterTopic)
                .groupId(input)
                .transactionalIdPrefix(input)
                .bounded(true)
                .build();
        StreamExecutionEnvironment env = testEnvironment();
        FaceStreamJob.onKafka(kafka, FaceDetectionSettings.defaults()).build(env);
        env.execute(jobName);

        List<FaceDetectionResult> results = read(output, FaceDetectionResult.class);
        List<DeadLetter> deadLetters = read(deadLetterTopic, DeadLetter.class);
        assertThat(results.size() + deadLetters.size()).as("one outcome per record").isEqualTo(records.size());
        assertThat(deadLetters).extracting(DeadLetter::getReason).as("dead letters from the deserializer and from detection")
                .contains(DeadLetterReason.EMPTY_PAYLOAD, DeadLetterReason.MALFORMED_EVENT, DeadLetterReason.CORRUPT_IMAGE,
                        DeadLetterReason.MISSING_EVENT_ID, DeadLetterReason.MISSING_IMAGE);

        assertThat(metrics(jobName, "images")).extracting(m -> m.labels().get("operator_name"))
                .containsOnly("Route results and dead letters");
        assertThat(metrics(jobName, "imagesInFlight")).extracting(m -> m.labels().get("operator_name"))
                .containsOnly("Detect faces");
        assertThat(counterSum(jobName, "images")).isEqualTo(results.size());
        assertThat(counterSum(jobName, "faces")).isEqualTo(results.stream().mapToLong(r -> r.getFaces().size()).sum());
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            List<CollectingMetricReporter.Registered> perReason = metrics(jobName, "reason_deadLetters").stream()
                    .filter(m -> reason.name().equals(m.labels().get("reason"))).toList();
            assertThat(perReason).as(reason.name()).hasSize(PARALLELISM);
            assertThat(perReason.stream().mapToLong(m -> ((Counter) m.metric()).getCount()).sum()).as(reason.name())
                    .isEqualTo(deadLetters.stream().filter(d -> d.getReason() == reason).count());
        }
        assertHistogram(jobName, "decodeMicros", results, StageTimings::getDecodeMicros);
        assertHistogram(jobName, "inferenceMicros", results, StageTimings::getInferenceMicros);
        assertHistogram(jobName, "totalMicros", results, StageTimings::getTotalMicros);
        assertThat(metrics(jobName, "imagesInFlight")).hasSize(PARALLELISM)
                .allSatisfy(m -> assertThat(((Gauge<?>) m.metric()).getValue()).isEqualTo(0));
    }

    @Test
    void timeoutsCountAsDeadLettersAndNotAsImages() throws Exception {
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        List<ImageEvent> events = List.of("a", "b", "c").stream().map(id -> ImageEvent.newBuilder().setEventId(id)
                .setEventTime(Instant.now()).setImageBytes(ByteBuffer.wrap(chris)).build()).toList();
        String jobName = uniqueTopic("DetectionMetricsIT timeouts");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        FaceDetection.Streams detected = FaceDetection.detect(env.fromData(events),
                FaceDetectionSettings.builder().timeout(Duration.ofMillis(1)).build());
        CloseableIterator<DeadLetter> deadLetters = detected.deadLetters().collectAsync();
        env.executeAsync(jobName).getJobExecutionResult().get();
        List<DeadLetter> written = new ArrayList<>();
        deadLetters.forEachRemaining(written::add);

        assertThat(written).extracting(DeadLetter::getReason).containsOnly(DeadLetterReason.TIMEOUT).hasSize(events.size());
        List<CollectingMetricReporter.Registered> timeouts = metrics(jobName, "reason_deadLetters").stream()
                .filter(m -> "TIMEOUT".equals(m.labels().get("reason"))).toList();
        assertThat(timeouts).hasSize(1);
        assertThat(((Counter) timeouts.get(0).metric()).getCount()).isEqualTo(events.size());
        assertThat(counterSum(jobName, "images")).isZero();
    }

    private static List<CollectingMetricReporter.Registered> metrics(String jobName, String name) {
        return CollectingMetricReporter.ofJob(jobName, PREFIX + name);
    }

    private static long counterSum(String jobName, String name) {
        List<CollectingMetricReporter.Registered> perSubtask = metrics(jobName, name);
        assertThat(perSubtask).as(name).isNotEmpty();
        return perSubtask.stream().mapToLong(m -> ((Counter) m.metric()).getCount()).sum();
    }

    private static void assertHistogram(String jobName, String name, List<FaceDetectionResult> results,
                                        ToLongFunction<StageTimings> timing) {
        List<Histogram> perSubtask = metrics(jobName, name).stream().map(m -> (Histogram) m.metric()).toList();
        assertThat(perSubtask).as(name).hasSize(PARALLELISM);
        assertThat(perSubtask.stream().mapToLong(Histogram::getCount).sum()).as(name + " count").isEqualTo(results.size());
        long slowest = results.stream().mapToLong(r -> timing.applyAsLong(r.getTimings())).max().orElseThrow();
        assertThat(perSubtask.stream().filter(h -> h.getCount() > 0).mapToLong(h -> h.getStatistics().getMax()).max().orElseThrow())
                .as(name + " max").isEqualTo(slowest);
    }

}
