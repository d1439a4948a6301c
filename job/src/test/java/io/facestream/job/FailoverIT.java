package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.FaceCrop;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.GoldenDetections;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through failures on the real local stack of deploy/local/stack.sh (a ZooKeeper JVM, a Kafka broker
 * JVM, a JobManager JVM and TaskManager JVMs): while events stream in, one TaskManager is killed with kill -9 and
 * replaced, later the broker is restarted, and then the JobManager is killed with kill -9 and a new one started,
 * which must recover the job from ZooKeeper and its latest completed checkpoint. In the end a read_committed
 * consumer must find exactly one result or dead letter per event. The job tracks faces: the events come from four
 * cameras (record keys, {@link CameraEvents}), each showing one photo, and every face must keep its track id
 * through every failure, as the tracks live in checkpointed keyed state.
 */
@Timeout(value = 15, unit = TimeUnit.MINUTES)
class FailoverIT {

    private static final int EVENTS = 2000;

    @TempDir
    Path tmp;

    @Test
    void exactlyOneOutcomePerEventThroughATaskManagerKillABrokerRestartAndAJobManagerKill() throws Exception {
        try (LocalStack stack = new LocalStack("failover", tmp.resolve("stack"), Map.of()).start()) {
            String bootstrap = stack.bootstrapServers();
            stack.createTopics(2, "images", "detections", "dead-letters", "crops", "anonymized");
            String job = stack.submit("--bootstrap-servers", bootstrap, "--input-topic", "images", "--output-topic", "detections",
                    "--dead-letter-topic", "dead-letters", "--parallelism", "2", "--checkpoint-interval", "2s",
                    "--transactional-id-prefix", "failover-" + UUID.randomUUID(),
                    // Event times follow the wall clock, which the broker restart stops for seconds: tracks must not idle out.
                    "--track", "--track-idle", "10min",
                    "--crops-topic", "crops", "--anonymized-topic", "anonymized", "--anonymize-style", "fill");

            CameraEvents events = new CameraEvents();
            Set<String> acknowledged = ConcurrentHashMap.newKeySet();
            AtomicInteger failedSends = new AtomicInteger();
            List<String> failuresBeforeJobManagerKill = List.of();
            long started = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = CameraEvents.producer(bootstrap)) {
                for (int i = 0; i < EVENTS; i++) {
                    String id = CameraEvents.id(i);
                    producer.send(events.record("images", i), (metadata, error) -> {
                        if (error == null) {
                            acknowledged.add(id);
                        } else {
                            failedSends.incrementAndGet();
                        }
                    });
                    if (i == EVENTS / 4) {
                        producer.flush();
                        stack.awaitOutcomes("detections", "dead-letters", 50, Duration.ofMinutes(3));
                        stack.run("kill-taskmanager", "1");
                        stack.run("start-taskmanager", "3");
                    } else if (i == EVENTS * 3 / 5) {
                        producer.flush();
                        stack.run("stop-kafka");
                        Thread.sleep(3000);
                        stack.run("start-kafka");
                    } else if (i == EVENTS * 4 / 5) {
                        producer.flush();
                        // The job's failure history lives in its JobManager, and goes with it.
                        failuresBeforeJobManagerKill = stack.failures(job);
                        long completedBeforeKill = stack.latestCompletedCheckpoint(job);
                        stack.run("kill-jobmanager");
                        long killed = System.nanoTime();
                        stack.run("start-jobmanager");
                        stack.awaitRunning(job, Duration.ofMinutes(3));
                        long restored = stack.restoredCheckpoint(job);
                        stack.log(String.format("a new JobManager runs the job again %.1f s after the kill, restored from "
                                + "checkpoint %d (the latest completed before the kill: %d)",
                                (System.nanoTime() - killed) / 1e9, restored, completedBeforeKill));
                        assertThat(completedBeforeKill).as("a checkpoint completed before the kill").isPositive();
                        assertThat(restored).as("the checkpoint the new JobManager restored")
                                .isGreaterThanOrEqualTo(completedBeforeKill);
                    }
                    Thread.sleep(15); // a steady stream rather than one burst
                }
                producer.flush();
            }
            stack.log(String.format("produced %d events (%d acknowledged, %d failed sends) in %.0f s",
                    EVENTS, acknowledged.size(), failedSends.get(), (System.nanoTime() - started) / 1e9));
            assertThat(acknowledged).hasSize(EVENTS);

            List<LocalStack.Outcome> committed = stack.committedOutcomes("detections", "dead-letters", EVENTS, Duration.ofMinutes(6));
            Map<String, Integer> outcomes = new java.util.HashMap<>();
            committed.forEach(outcome -> outcomes.merge(String.valueOf(outcome.eventId()), 1, Integer::sum));
            stack.log(String.format("%.0f s in all", (System.nanoTime() - started) / 1e9));
            stack.assertOneOutcomePerEvent(acknowledged, outcomes);
            stack.assertTracksKept(committed, id -> CameraEvents.camera(CameraEvents.number(id)));
            int total = outcomes.values().stream().mapToInt(Integer::intValue).sum();
            assertThat(total).isEqualTo(EVENTS);
            assertFaceImagesOncePerResult(stack, committed);

            stack.log("failures the job recovered from before the JobManager kill: " + failuresBeforeJobManagerKill.size());
            failuresBeforeJobManagerKill.forEach(failure -> stack.log("  " + failure));
            assertThat(failuresBeforeJobManagerKill.size()).as("the job went through the TaskManager loss").isGreaterThanOrEqualTo(1);
        }
    }

    /**
     * The crops and anonymized images, written by sinks of their own in the same checkpoints: exactly one crop per
     * face and one anonymized image per result, with the same track ids, through both failures.
     */
    private static void assertFaceImagesOncePerResult(LocalStack stack, List<LocalStack.Outcome> committed) throws IOException {
        Map<String, String> expectedCrops = new java.util.HashMap<>();
        Set<String> results = new java.util.HashSet<>();
        for (LocalStack.Outcome outcome : committed) {
            if (outcome.reason() == null) {
                results.add(outcome.eventId());
                for (int i = 0; i < outcome.faces(); i++) {
                    expectedCrops.put(outcome.eventId() + "#" + i, String.valueOf(outcome.trackIds().get(i)));
                }
            }
        }
        List<String> crops = new ArrayList<>();
        Map<String, String> cropTrackIds = new java.util.HashMap<>();
        for (var record : stack.committedRecords("crops", expectedCrops.size(), Duration.ofMinutes(2))) {
            FaceCrop crop = AvroCodec.decode(record.value(), FaceCrop.class);
            crops.add(crop.getEventId() + "#" + crop.getFaceIndex());
            cropTrackIds.put(crop.getEventId() + "#" + crop.getFaceIndex(), String.valueOf(crop.getTrackId()));
        }
        List<String> anonymized = new ArrayList<>();
        for (var record : stack.committedRecords("anonymized", results.size(), Duration.ofMinutes(2))) {
            anonymized.add(AvroCodec.decode(record.value(), ImageEvent.class).getEventId());
        }
        stack.log(String.format("crops: %d for %d faces (distinct %d); anonymized images: %d for %d results (distinct %d)",
                crops.size(), expectedCrops.size(), new java.util.HashSet<>(crops).size(), anonymized.size(), results.size(),
                new java.util.HashSet<>(anonymized).size()));
        assertThat(crops).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expectedCrops.keySet());
        assertThat(cropTrackIds).isEqualTo(expectedCrops);
        assertThat(anonymized).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(results);
    }
}
