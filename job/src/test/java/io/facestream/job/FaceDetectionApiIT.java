package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.GoldenDetections;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.client.JobExecutionException;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.io.TempDir;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The detection stage as a library call on any DataStream of image events. */
@Timeout(180)
class FaceDetectionApiIT extends KafkaFlinkTestBase {

    private static ImageEvent event(String id, byte[] image, String uri) {
        return ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now())
                .setImageBytes(image == null ? null : ByteBuffer.wrap(image)).setImageUri(uri).build();
    }

    @Test
    void detectsOnABoundedStreamWithDeadLettersAsSideOutput() throws Exception {
        Path montage = GoldenDetections.testdata().resolve("montage_4faces.png");
        List<ImageEvent> events = List.of(
                event("bytes", Files.readAllBytes(montage), null),
                event("by-reference", null, montage.toUri().toString()),
                event("no-image", null, null),
                event("outside", null, GoldenDetections.testdata().resolve("../README.md").normalize().toUri().toString()),
                event("", Files.readAllBytes(montage), null));
        FaceDetectionSettings settings = FaceDetectionSettings.builder()
                .imageUriAllowList(List.of(GoldenDetections.testdata().toUri().toString())).build();
        Outcomes outcomes = detect(events, settings, 2);
        List<FaceDetectionResult> resultList = outcomes.results();
        List<DeadLetter> deadLetterList = outcomes.deadLetters();

        assertThat(resultList).extracting(FaceDetectionResult::getEventId).containsExactlyInAnyOrder("bytes", "by-reference");
        assertThat(resultList).allSatisfy(r -> assertThat(r.getFaces()).hasSize(4));
        assertThat(resultList).allSatisfy(r -> assertThat(r.getSource()).isNull());
        assertThat(deadLetterList).extracting(DeadLetter::getReason)
                .containsExactlyInAnyOrder(DeadLetterReason.MISSING_IMAGE, DeadLetterReason.MISSING_EVENT_ID,
                        DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
    }

    @Test
    void findsTheGoldenFacesAndKeepsABadImageApart() throws Exception {
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        List<ImageEvent> events = new ArrayList<>();
        for (String photo : golden.keySet()) {
            events.add(event(photo, Files.readAllBytes(GoldenDetections.testdata().resolve(photo)), null));
        }
        events.add(3, event("truncated", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2}, null));

        Outcomes outcomes = detect(events, FaceDetectionSettings.defaults(), 1);

        assertThat(outcomes.deadLetters()).extracting(DeadLetter::getEventId, DeadLetter::getReason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("truncated", DeadLetterReason.CORRUPT_IMAGE));
        assertThat(outcomes.results()).extracting(FaceDetectionResult::getEventId).containsExactlyInAnyOrderElementsOf(golden.keySet());
        for (FaceDetectionResult result : outcomes.results()) {
            List<DetectedFace> faces = result.getFaces().stream().map(Results::fromAvro).toList();
            assertThat(GoldenDetections.disagreements(result.getEventId(), golden.get(result.getEventId()).faces(), faces,
                    GoldenDetections.INT8_REFERENCE)).isEmpty();
        }
    }

    private record Outcomes(List<FaceDetectionResult> results, List<DeadLetter> deadLetters) {}

    @Test
    void cropsAndAnonymizedImagesComeAsTheirOwnStreamsWhenTheSettingsAskForThem() throws Exception {
        byte[] montage = Files.readAllBytes(GoldenDetections.testdata().resolve("montage_4faces.png"));
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        List<ImageEvent> events = List.of(event("montage", montage, null), event("chris", chris, null),
                event("broken", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2}, null));
        FaceDetectionSettings settings = FaceDetectionSettings.builder()
                .faceImages(io.facestream.detect.FaceImagesSettings.builder().crops(true).anonymize(true).build()).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        FaceDetection.Streams detected = FaceDetection.detect(env.fromData(events), settings);
        CloseableIterator<FaceDetectionResult> results = detected.results().collectAsync();
        CloseableIterator<io.facestream.avro.FaceCrop> crops = detected.crops().collectAsync();
        CloseableIterator<ImageEvent> anonymized = detected.anonymized().collectAsync();
        JobClient job = env.executeAsync("FaceDetectionApiIT face images");
        List<String> resultIds = new ArrayList<>();
        results.forEachRemaining(result -> resultIds.add(result.getEventId()));
        List<String> cropIds = new ArrayList<>();
        crops.forEachRemaining(crop -> cropIds.add(crop.getEventId() + "#" + crop.getFaceIndex()));
        List<String> anonymizedIds = new ArrayList<>();
        anonymized.forEachRemaining(event -> anonymizedIds.add(event.getEventId()));
        job.getJobExecutionResult().get();

        assertThat(resultIds).containsExactlyInAnyOrder("montage", "chris");
        assertThat(cropIds).containsExactlyInAnyOrder("montage#0", "montage#1", "montage#2", "montage#3", "chris#0");
        assertThat(anonymizedIds).containsExactlyInAnyOrder("montage", "chris");
        assertThat(FaceDetection.detect(env.fromData(events), FaceDetectionSettings.defaults()).crops())
                .as("no crops asked for: no stream").isNull();
    }

    /** Runs the detection stage on the events as a bounded job and collects both outputs. */
    private static Outcomes detect(List<ImageEvent> events, FaceDetectionSettings settings, int parallelism) throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(parallelism);
        FaceDetection.Streams detected = FaceDetection.detect(env.fromData(events), settings);
        CloseableIterator<FaceDetectionResult> results = detected.results().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = detected.deadLetters().collectAsync();
        JobClient job = env.executeAsync("FaceDetectionApiIT");
        List<FaceDetectionResult> resultList = new ArrayList<>();
        results.forEachRemaining(resultList::add);
        List<DeadLetter> deadLetterList = new ArrayList<>();
        deadLetters.forEachRemaining(deadLetterList::add);
        job.getJobExecutionResult().get();
        return new Outcomes(resultList, deadLetterList);
    }

    private static List<DeadLetter> deadLettersOf(List<ImageEvent> events, FaceDetectionSettings settings) throws Exception {
        Outcomes outcomes = detect(events, settings, 1);
        assertThat(outcomes.results()).isEmpty();
        return outcomes.deadLetters();
    }

    @Test
    void slowImagesTimeOutIntoDeadLettersWithoutFailingTheJob() throws Exception {
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        List<DeadLetter> deadLetters = deadLettersOf(List.of(event("a", chris, null), event("b", chris, null)),
                FaceDetectionSettings.builder().timeout(java.time.Duration.ofMillis(1)).build());
        assertThat(deadLetters).extracting(DeadLetter::getReason).containsOnly(DeadLetterReason.TIMEOUT).hasSize(2);
    }

    @Test
    void aModelFailingOnEveryImageGivesDeadLettersWithoutFailingTheJob() throws Exception {
        // The v1 export read as if it were a biubug6 one: every forward pass yields outputs the decoder refuses.
        Path v1 = Path.of(System.getProperty("facestream.testModels", "target/test-models")).resolve("mnet.25_v1.onnx");
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        FaceDetectionSettings mismatched = FaceDetectionSettings.builder()
                .detector(DetectorSettings.builder().modelPath(v1).modelType("biubug6-mnet025").build()).build();
        List<DeadLetter> deadLetters = deadLettersOf(List.of(event("a", chris, null), event("b", chris, null)), mismatched);
        assertThat(deadLetters).extracting(DeadLetter::getReason).containsOnly(DeadLetterReason.INFERENCE_FAILED).hasSize(2);
        assertThat(deadLetters.get(0).getMessage()).contains("no output 'loc'");
    }

    @Test
    void aModelThatCannotStartFailsTheJobOnceWithItsCauseInsteadOfRestarting(@TempDir Path tmp) throws Exception {
        Path notAModel = Files.write(tmp.resolve("not-a-model.onnx"), bytes("these bytes are no ONNX model"));
        Configuration config = new Configuration();
        config.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 1000);
        config.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(100));
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(config);
        env.setParallelism(1);
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        FaceDetectionSettings settings = FaceDetectionSettings.builder()
                .detector(DetectorSettings.builder().modelPath(notAModel).build()).build();
        FaceDetection.Streams detected = FaceDetection.detect(env.fromData(List.of(event("a", chris, null))), settings);
        detected.results().sinkTo(new DiscardingSink<>());
        detected.deadLetters().sinkTo(new DiscardingSink<>());
        JobClient job = env.executeAsync("model that cannot start");

        // Restarting would take 1000 x 100 ms: the job must fail long before, with the model's problem as its cause.
        Throwable failure = catchThrowable(() -> job.getJobExecutionResult().get(60, TimeUnit.SECONDS));
        assertThat(failure).isInstanceOf(ExecutionException.class);
        assertThat(failure).hasCauseInstanceOf(JobExecutionException.class);
        assertThat(ExceptionUtils.findThrowable(failure, SuppressRestartsException.class)).isPresent();
        assertThat(ExceptionUtils.stringifyException(failure))
                .contains("could not start its model")
                .contains("Could not load the ONNX model not-a-model.onnx");
    }
}
