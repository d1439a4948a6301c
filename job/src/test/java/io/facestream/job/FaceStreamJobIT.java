package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.GoldenDetections;
import io.facestream.detect.ModelFile;
import io.facestream.detect.TestImages;
import io.facestream.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The whole job on a real broker and MiniCluster with the real model. */
@Timeout(300)
class FaceStreamJobIT extends KafkaFlinkTestBase {

    @Test
    void everyImageGetsOneResultAgreeingWithTheReferenceAndBadInputBecomesDeadLetters() throws Exception {
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        String input = uniqueTopic("images");
        Topics topics = new Topics(input);
        broker().createTopics(2, input, topics.output, topics.deadLetters);

        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (String name : golden.keySet()) {
            records.add(avroRecord(input, name, Files.readAllBytes(GoldenDetections.testdata().resolve(name))));
        }
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        records.add(avroRecord(input, "truncated.jpeg", Arrays.copyOf(chris, chris.length / 2)));
        records.add(new ProducerRecord<>(input, "random".getBytes(StandardCharsets.UTF_8), randomBytes(4096)));
        records.add(new ProducerRecord<>(input, "empty".getBytes(StandardCharsets.UTF_8), new byte[0]));
        produce(input, records);

        runBounded(topics, InputFormat.AVRO);

        List<FaceDetectionResult> results = read(topics.output, FaceDetectionResult.class);
        Map<String, Long> resultsPerEvent = results.stream()
                .collect(Collectors.groupingBy(FaceDetectionResult::getEventId, Collectors.counting()));
        assertThat(resultsPerEvent).containsOnlyKeys(golden.keySet().toArray(String[]::new));
        assertThat(resultsPerEvent.values()).allMatch(count -> count == 1);

        List<String> problems = new ArrayList<>();
        for (FaceDetectionResult result : results) {
            GoldenDetections.Image expected = golden.get(result.getEventId());
            assertThat(result.getImageWidth()).isEqualTo(expected.width());
            assertThat(result.getImageHeight()).isEqualTo(expected.height());
            assertThat(result.getModel().getName()).as("the default on a CPU").isEqualTo("mnet.25_v2.int8.onnx");
            assertThat(result.getModel().getSha256()).isEqualTo(ModelFile.loadDefaultInt8().sha256());
            assertThat(result.getSource().getTopic()).isEqualTo(input);
            List<DetectedFace> actual = result.getFaces().stream().map(Results::fromAvro).toList();
            problems.addAll(GoldenDetections.disagreements(result.getEventId(), expected.faces(), actual,
                    GoldenDetections.INT8_REFERENCE));
        }
        assertThat(problems).isEmpty();
        FaceDetectionResult coffee = results.stream().filter(r -> r.getEventId().equals("coffee.png")).findFirst().orElseThrow();
        assertThat(coffee.getFaces()).isEmpty();

        Map<String, DeadLetterReason> reasons = deadLetterReasons(topics.deadLetters);
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(
                "truncated.jpeg", DeadLetterReason.CORRUPT_IMAGE,
                "random", DeadLetterReason.MALFORMED_EVENT,
                "empty", DeadLetterReason.EMPTY_PAYLOAD));
    }

    @Test
    void rawModeTakesImageBytesKeyedByEventId() throws Exception {
        String input = uniqueTopic("raw-images");
        Topics topics = new Topics(input);
        broker().createTopics(1, input, topics.output, topics.deadLetters);
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        produce(input, List.of(
                new ProducerRecord<>(input, bytes("chris"), chris),
                new ProducerRecord<>(input, bytes("coffee"), Files.readAllBytes(GoldenDetections.testdata().resolve("coffee.png"))),
                new ProducerRecord<>(input, bytes("truncated"), Arrays.copyOf(chris, chris.length - 100)),
                new ProducerRecord<>(input, bytes("random"), randomBytes(2048)),
                new ProducerRecord<>(input, bytes("empty"), new byte[0]),
                new ProducerRecord<>(input, null, chris)));

        runBounded(topics, InputFormat.RAW);

        Map<String, Integer> faces = read(topics.output, FaceDetectionResult.class).stream()
                .collect(Collectors.toMap(FaceDetectionResult::getEventId, r -> r.getFaces().size()));
        assertThat(faces).containsExactlyInAnyOrderEntriesOf(Map.of("chris", 1, "coffee", 0));
        List<DeadLetter> deadLetters = read(topics.deadLetters, DeadLetter.class);
        Map<String, DeadLetterReason> reasons = new HashMap<>();
        deadLetters.forEach(d -> reasons.put(String.valueOf(d.getEventId()), d.getReason()));
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.of(
                "truncated", DeadLetterReason.CORRUPT_IMAGE,
                "random", DeadLetterReason.UNSUPPORTED_FORMAT,
                "empty", DeadLetterReason.EMPTY_PAYLOAD,
                "null", DeadLetterReason.MISSING_EVENT_ID));
        DeadLetter random = deadLetters.stream().filter(d -> "random".equals(d.getEventId())).findFirst().orElseThrow();
        assertThat(random.getPayloadSize()).isEqualTo(2048);
        assertThat(random.getPayload().remaining()).isEqualTo(2048);
        assertThat(random.getMessage()).contains("Convert the image");
    }

    private record Topics(String output, String deadLetters) {
        Topics(String input) {
            this(input + "-detections", input + "-dead-letters");
        }
    }

    @Test
    void everyKindOfBadInputBecomesOneDeadLetterWhileUnusualValidImagesSucceed() throws Exception {
        String input = uniqueTopic("bad-input");
        Topics topics = new Topics(input);
        broker().createTopics(2, input, topics.output, topics.deadLetters);
        byte[] chris = TestImages.photo("Chris.jpeg");
        byte[] validEvent = AvroCodec.encode(ImageEvent.newBuilder().setEventId("x").setEventTime(Instant.now())
                .setImageBytes(ByteBuffer.wrap(chris)).build());
        ImageEvent noId = ImageEvent.newBuilder().setEventId("").setEventTime(Instant.now())
                .setImageBytes(ByteBuffer.wrap(chris)).build();
        ImageEvent pdf = ImageEvent.newBuilder().setEventId("jpeg-as-pdf").setEventTime(Instant.now())
                .setContentType("application/pdf").setImageBytes(ByteBuffer.wrap(chris)).build();
        produce(input, List.of(
                avroRecord(input, "chris", chris),
                avroRecord(input, "one-pixel", TestImages.onePixelPng()),
                avroRecord(input, "16-bit-png", TestImages.sixteenBitPng("Bryan.png")),
                avroRecord(input, "cmyk-jpeg", TestImages.cmykJpeg("Chris.jpeg")),
                avroRecord(input, "grey-png", TestImages.greyPng("Luciano.png")),
                avroRecord(input, "palette-png", TestImages.palettePng("Luciano.png")),
                avroRecord(input, "exif-rotated", TestImages.exifRotatedJpeg("Chris.jpeg")),
                new ProducerRecord<>(input, bytes("empty"), new byte[0]),
                new ProducerRecord<>(input, bytes("random"), TestImages.randomBytes(4096, 1)),
                new ProducerRecord<>(input, bytes("malformed-avro"), Arrays.copyOf(validEvent, validEvent.length / 2)),
                new ProducerRecord<>(input, bytes("no-id"), AvroCodec.encode(noId)),
                new ProducerRecord<>(input, bytes("jpeg-as-pdf"), AvroCodec.encode(pdf)),
                avroRecord(input, "truncated-jpeg", TestImages.truncated(chris, chris.length / 2)),
                avroRecord(input, "truncated-png", TestImages.truncated(TestImages.photo("Bryan.png"), 5000)),
                avroRecord(input, "svg", "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"9\" height=\"9\"/>".getBytes()),
                avroRecord(input, "bomb", TestImages.pngDeclaring(50_000, 50_000)),
                avroRecord(input, "oversized", TestImages.noisePng(700, 700)),
                avroRecord(input, "luciano", TestImages.photo("Luciano.png"))));

        FaceDetectionSettings settings = FaceDetectionSettings.builder()
                .detector(DetectorSettings.builder().maxImageBytes(1024 * 1024).build()).build();
        runBounded(topics, InputFormat.AVRO, settings);

        Map<String, FaceDetectionResult> results = new HashMap<>();
        for (FaceDetectionResult result : read(topics.output, FaceDetectionResult.class)) {
            assertThat(results.put(result.getEventId(), result)).as("one result per event").isNull();
        }
        assertThat(results).containsOnlyKeys("chris", "one-pixel", "16-bit-png", "cmyk-jpeg", "grey-png", "palette-png",
                "exif-rotated", "luciano");
        assertThat(results.get("one-pixel").getFaces()).isEmpty();
        assertThat(results.get("16-bit-png").getFaces()).hasSize(1);
        assertThat(results.get("grey-png").getFaces()).hasSize(1);
        assertThat(results.get("cmyk-jpeg").getImageWidth()).isEqualTo(512);
        FaceDetectionResult rotated = results.get("exif-rotated");
        assertThat(rotated.getImageWidth()).isEqualTo(512);
        assertThat(rotated.getImageHeight()).isEqualTo(678);
        DetectedFace upright = Results.fromAvro(results.get("chris").getFaces().get(0));
        assertThat(rotated.getFaces()).hasSize(1);
        assertThat(Results.fromAvro(rotated.getFaces().get(0)).iou(upright)).as("face in the upright frame").isGreaterThan(0.9f);

        Map<String, DeadLetterReason> reasons = deadLetterReasons(topics.deadLetters);
        assertThat(reasons).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
                Map.entry("empty", DeadLetterReason.EMPTY_PAYLOAD),
                Map.entry("random", DeadLetterReason.MALFORMED_EVENT),
                Map.entry("malformed-avro", DeadLetterReason.MALFORMED_EVENT),
                Map.entry("no-id", DeadLetterReason.MISSING_EVENT_ID),
                Map.entry("jpeg-as-pdf", DeadLetterReason.UNSUPPORTED_CONTENT_TYPE),
                Map.entry("truncated-jpeg", DeadLetterReason.CORRUPT_IMAGE),
                Map.entry("truncated-png", DeadLetterReason.CORRUPT_IMAGE),
                Map.entry("svg", DeadLetterReason.UNSUPPORTED_FORMAT),
                Map.entry("bomb", DeadLetterReason.IMAGE_TOO_LARGE),
                Map.entry("oversized", DeadLetterReason.PAYLOAD_TOO_LARGE)));
    }

    private static void runBounded(Topics topics, InputFormat format) throws Exception {
        runBounded(topics, format, FaceDetectionSettings.defaults());
    }

    private static void runBounded(Topics topics, InputFormat format, FaceDetectionSettings settings) throws Exception {
        String input = topics.output.substring(0, topics.output.length() - "-detections".length());
        KafkaSettings kafka = KafkaSettings.builder()
                .bootstrapServers(broker().bootstrapServers())
                .inputTopic(input)
                .outputTopic(topics.output)
                .deadLetterTopic(topics.deadLetters)
                .groupId(input)
                .inputFormat(format)
                .transactionalIdPrefix(input)
                .bounded(true)
                .build();
        var env = testEnvironment();
        FaceStreamJob.onKafka(kafka, settings).build(env);
        env.execute("FaceStreamJobIT " + input);
    }

    private static Map<String, DeadLetterReason> deadLetterReasons(String topic) {
        Map<String, DeadLetterReason> reasons = new HashMap<>();
        for (DeadLetter dead : read(topic, DeadLetter.class)) {
            assertThat(reasons.put(dead.getEventId(), dead.getReason())).as("one dead letter per event").isNull();
            assertThat(dead.getMessage()).isNotBlank();
        }
        return reasons;
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(42).nextBytes(bytes);
        return bytes;
    }
}
