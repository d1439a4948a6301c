package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.Face;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.GoldenDetections;
import io.facestream.detect.ImageDecoder;
import io.facestream.detect.DecodedImage;
import io.facestream.detect.TestImages;
import io.facestream.schemas.AvroCodec;
import io.facestream.track.TrackingSettings;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The job with --crops-topic and --anonymized-topic on a real broker and MiniCluster: crops and
 * anonymized images agree with the results one for one, bad input yields neither, and what leaves is
 * checked by the detector itself (no face left in an anonymized image).
 */
@Timeout(300)
class FaceImagesIT extends KafkaFlinkTestBase {

    private static FaceDetector probeDetector;
    private static FaceDetector.Session probe;

    @BeforeAll
    static void loadProbe() throws Exception {
        probeDetector = FaceDetector.load(DetectorSettings.defaults());
        probe = probeDetector.newSession();
    }

    @AfterAll
    static void closeProbe() {
        probe.close();
        probeDetector.close();
    }

    @Test
    void everyFaceGetsOneCropAndEveryImageWithAResultOneAnonymizedCopyWithoutFacesOrExif() throws Exception {
        String input = uniqueTopic("face-images");
        Topics topics = new Topics(input);
        broker().createTopics(2, input, topics.output, topics.deadLetters, topics.crops, topics.anonymized);

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String name : GoldenDetections.load().keySet()) {
            records.add(eventWithMetadata(input, name, Files.readAllBytes(GoldenDetections.testdata().resolve(name))));
        }
        byte[] rotated = TestImages.exifRotatedJpeg("Chris.jpeg");
        records.add(eventWithMetadata(input, "exif-rotated", rotated));
        byte[] chris = TestImages.photo("Chris.jpeg");
        records.add(eventWithMetadata(input, "truncated", TestImages.truncated(chris, chris.length / 2)));
        records.add(new ProducerRecord<>(input, bytes("garbage"), bytes("not an image event")));
        produce(input, records);

        String jobName = run(topics, InputFormat.AVRO, TrackingSettings.defaults());

        List<FaceDetectionResult> results = read(topics.output, FaceDetectionResult.class);
        assertThat(read(topics.deadLetters, DeadLetter.class)).extracting(DeadLetter::getEventId)
                .containsExactlyInAnyOrder("truncated", "garbage");
        Map<String, FaceDetectionResult> resultByEvent = results.stream()
                .collect(Collectors.toMap(FaceDetectionResult::getEventId, result -> result));
        assertThat(resultByEvent).hasSize(records.size() - 2);

        // Crops: exactly one per face of the results, carrying that face.
        List<FaceCrop> crops = read(topics.crops, FaceCrop.class);
        Set<String> expectedCrops = new TreeSet<>();
        results.forEach(result -> {
            for (int i = 0; i < result.getFaces().size(); i++) {
                expectedCrops.add(result.getEventId() + "#" + i);
            }
        });
        assertThat(crops.stream().map(crop -> crop.getEventId() + "#" + crop.getFaceIndex()).toList())
                .hasSize(expectedCrops.size()).containsExactlyInAnyOrderElementsOf(expectedCrops);
        assertThat(expectedCrops).hasSizeGreaterThanOrEqualTo(9);
        ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        for (FaceCrop crop : crops) {
            Face face = resultByEvent.get(crop.getEventId()).getFaces().get(crop.getFaceIndex());
            assertThat(crop.getScore()).isEqualTo(face.getScore());
            assertThat(crop.getBox()).isEqualTo(face.getBox());
            assertThat(crop.getLandmarks()).isEqualTo(face.getLandmarks());
            assertThat(crop.getTrackId()).isNull();
            assertThat(crop.getContentType()).isEqualTo("image/jpeg");
            assertThat(crop.getSize()).isEqualTo(112);
            assertThat(crop.getAlignmentErrorPx()).isBetween(0f, 20f);
            try (DecodedImage image = decoder.decode(DeadLetters.bytes(crop.getImage()), crop.getContentType())) {
                assertThat(image.width()).isEqualTo(112);
                assertThat(image.height()).isEqualTo(112);
            }
        }

        // Anonymized images: one per result, none for the dead letters, at the original size, with no face left.
        List<ImageEvent> anonymized = read(topics.anonymized, ImageEvent.class);
        assertThat(anonymized).extracting(ImageEvent::getEventId).containsExactlyInAnyOrderElementsOf(resultByEvent.keySet());
        List<String> facesLeft = new ArrayList<>();
        for (ImageEvent event : anonymized) {
            FaceDetectionResult result = resultByEvent.get(event.getEventId());
            assertThat(event.getContentType()).isEqualTo("image/jpeg");
            assertThat(event.getImageUri()).isNull();
            assertThat(event.getMetadata()).containsEntry("camera", "lobby");
            byte[] image = DeadLetters.bytes(event.getImageBytes());
            assertThat(image).as("JPEG without an EXIF segment").startsWith(0xFF, 0xD8);
            assertThat(containsExif(image)).as(event.getEventId() + " carries EXIF").isFalse();
            var detections = probe.detect(image, event.getContentType());
            assertThat(detections.width()).isEqualTo(result.getImageWidth());
            assertThat(detections.height()).isEqualTo(result.getImageHeight());
            for (DetectedFace face : detections.faces()) {
                facesLeft.add(event.getEventId() + ": " + face);
            }
        }
        assertThat(facesLeft).as("faces the detector still finds (score >= 0.5) in anonymized images").isEmpty();
        assertThat(counterSum(jobName, "crops")).isEqualTo(crops.size());
        assertThat(counterSum(jobName, "cropsSkipped")).isZero();
        assertThat(counterSum(jobName, "anonymizedImages")).isEqualTo(anonymized.size());
        // The rotated photo is stored turned a quarter with EXIF saying so: its anonymized copy, without EXIF, has the
        // upright photo's size (checked against each result above), which is the unrotated original's.
        assertThat(containsExif(rotated)).isTrue();
        FaceDetectionResult upright = resultByEvent.get("exif-rotated");
        FaceDetectionResult original = resultByEvent.get("Chris.jpeg");
        assertThat(original.getImageWidth()).isNotEqualTo(original.getImageHeight());
        assertThat(upright.getImageWidth()).isEqualTo(original.getImageWidth());
        assertThat(upright.getImageHeight()).isEqualTo(original.getImageHeight());
    }

    @Test
    void rawInputGivesRawAnonymizedImagesAndTrackedFacesGiveCropsWithTheirTrackIds() throws Exception {
        String input = uniqueTopic("raw-face-images");
        Topics topics = new Topics(input);
        broker().createTopics(1, input, topics.output, topics.deadLetters, topics.crops, topics.anonymized);
        byte[] chris = TestImages.photo("Chris.jpeg");
        long start = Instant.parse("2026-12-02T10:00:00Z").toEpochMilli();
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ProducerRecord<byte[], byte[]> frame = new ProducerRecord<>(input, null, start + 100L * i, bytes("frame-" + i), chris);
            frame.headers().add("camera", bytes("door"));
            frame.headers().add(ImageEventDeserializer.CONTENT_TYPE_HEADER, bytes("image/jpeg"));
            records.add(frame);
        }
        produce(input, records);

        run(topics, InputFormat.RAW, TrackingSettings.builder().enabled(true).sourceField("camera").build());

        List<FaceDetectionResult> results = read(topics.output, FaceDetectionResult.class);
        assertThat(results).hasSize(6).allSatisfy(result -> assertThat(result.getFaces()).hasSize(1));
        Map<String, String> trackIdByEvent = new HashMap<>();
        results.forEach(result -> trackIdByEvent.put(result.getEventId(), result.getFaces().get(0).getTrackId()));
        assertThat(trackIdByEvent.values().stream().filter(id -> id != null).distinct().toList())
                .as("one track for the camera's face, confirmed at its second frame").singleElement().asString().startsWith("door/");

        List<FaceCrop> crops = read(topics.crops, FaceCrop.class);
        assertThat(crops).hasSize(6).allSatisfy(crop ->
                assertThat(crop.getTrackId()).as(crop.getEventId()).isEqualTo(trackIdByEvent.get(crop.getEventId())));
        assertThat(crops).filteredOn(crop -> crop.getTrackId() != null).hasSize(5);

        List<ConsumerRecord<byte[], byte[]>> anonymized = consumeCommitted(topics.anonymized);
        assertThat(anonymized).hasSize(6);
        for (ConsumerRecord<byte[], byte[]> record : anonymized) {
            String eventId = new String(record.key(), StandardCharsets.UTF_8);
            assertThat(trackIdByEvent).containsKey(eventId);
            Header contentType = record.headers().lastHeader(ImageEventDeserializer.CONTENT_TYPE_HEADER);
            assertThat(new String(contentType.value(), StandardCharsets.UTF_8)).isEqualTo("image/jpeg");
            assertThat(record.value()).as("the image itself, not an Avro record").startsWith(0xFF, 0xD8);
            assertThat(probe.detect(record.value(), "image/jpeg").faces()).as(eventId).isEmpty();
        }
    }

    /** Whether a JPEG has an APP1 segment starting "Exif". */
    private static boolean containsExif(byte[] jpeg) {
        for (int i = 2; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xE1
                    && new String(jpeg, i + 4, 4, StandardCharsets.ISO_8859_1).equals("Exif")) {
                return true;
            }
        }
        return false;
    }

    private static ProducerRecord<byte[], byte[]> eventWithMetadata(String topic, String id, byte[] image) {
        ImageEvent event = ImageEvent.newBuilder()
                .setEventId(id)
                .setEventTime(Instant.now())
                .setImageBytes(ByteBuffer.wrap(image))
                .setMetadata(Map.of("camera", "lobby"))
                .build();
        return new ProducerRecord<>(topic, bytes(id), AvroCodec.encode(event));
    }

    private record Topics(String input, String output, String deadLetters, String crops, String anonymized) {
        Topics(String input) {
            this(input, input + "-detections", input + "-dead-letters", input + "-crops", input + "-anonymized");
        }
    }

    private static long counterSum(String jobName, String name) {
        List<CollectingMetricReporter.Registered> perSubtask =
                CollectingMetricReporter.ofJob(jobName, "flink_taskmanager_job_task_operator_facestream_" + name);
        assertThat(perSubtask).as(name).hasSize(PARALLELISM);
        return perSubtask.stream().mapToLong(m -> ((org.apache.flink.metrics.Counter) m.metric()).getCount()).sum();
    }

    /** Runs the job over the input as it is now; returns the job's name. */
    private static String run(Topics topics, InputFormat format, TrackingSettings tracking) throws Exception {
        KafkaSettings kafka = KafkaSettings.builder()
                .bootstrapServers(broker().bootstrapServers())
                .inputTopic(topics.input).outputTopic(topics.output).deadLetterTopic(topics.deadLetters)
                .cropsTopic(topics.crops).anonymizedTopic(topics.anonymized)
                .groupId(topics.input).inputFormat(format).transactionalIdPrefix(topics.input).bounded(true)
                .build();
        var env = testEnvironment();
        FaceStreamJob.onKafka(kafka, FaceDetectionSettings.defaults(), tracking).build(env);
        String jobName = "FaceImagesIT " + topics.input;
        env.execute(jobName);
        return jobName;
    }
}
