package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.DecodedImage;
import io.facestream.detect.GoldenDetections;
import io.facestream.detect.ImageDecoder;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.job.FaceStreamJob;
import io.facestream.job.KafkaFlinkTestBase;
import io.facestream.job.KafkaSettings;
import io.facestream.schemas.AvroCodec;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** produce, consume and render against the real in-process broker. */
@Timeout(180)
class KafkaToolsIT extends KafkaFlinkTestBase {

    @TempDir
    Path tmp;

    /** Three images in two folders, and a file that is no image. */
    private Path imageFolder() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images/people"));
        Files.copy(GoldenDetections.testdata().resolve("Chris.jpeg"), images.resolve("Chris.jpeg"));
        Files.copy(GoldenDetections.testdata().resolve("Bryan.png"), images.resolve("Bryan.png"));
        Files.copy(GoldenDetections.testdata().resolve("coffee.png"), tmp.resolve("images/coffee.png"));
        Files.writeString(tmp.resolve("images/notes.txt"), "not an image");
        return tmp.resolve("images");
    }

    private static Map<String, ConsumerRecord<byte[], byte[]>> byKey(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().collect(Collectors.toMap(r -> new String(r.key(), StandardCharsets.UTF_8), Function.identity()));
    }

    @Test
    void producesEveryImageOfAFolderTreeAsAvroEventsWithTheirBytes() throws Exception {
        Path images = imageFolder();
        String topic = uniqueTopic("produce-avro");
        broker().createTopics(2, topic);

        CliRun run = CliRun.of("produce", "--bootstrap-servers", broker().bootstrapServers(), "--input-topic", topic,
                "--images", images.toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("Sent 3 of 3 image(s) to " + topic).contains("0 failed");
        Map<String, ConsumerRecord<byte[], byte[]>> records = byKey(consumeCommitted(topic));
        assertThat(records).containsOnlyKeys("people/Chris.jpeg", "people/Bryan.png", "coffee.png");
        for (var entry : records.entrySet()) {
            ImageEvent event = AvroCodec.decode(entry.getValue().value(), ImageEvent.class);
            assertThat(event.getEventId()).isEqualTo(entry.getKey());
            assertThat(event.getImageUri()).isNull();
            byte[] bytes = new byte[event.getImageBytes().remaining()];
            event.getImageBytes().get(bytes);
            assertThat(bytes).isEqualTo(Files.readAllBytes(images.resolve(entry.getKey())));
        }
    }

    @Test
    void producesRawBytesOrReferences() throws Exception {
        Path images = imageFolder();
        String raw = uniqueTopic("produce-raw");
        String references = uniqueTopic("produce-ref");
        broker().createTopics(1, raw, references);

        CliRun.ok("produce", "--bootstrap-servers", broker().bootstrapServers(), "--input-topic", raw,
                "--images", images.resolve("people/Chris.jpeg").toString(), "--input-format", "raw");
        CliRun.ok("produce", "--bootstrap-servers", broker().bootstrapServers(), "--input-topic", references,
                "--images", images.resolve("people").toString(), "--reference");

        List<ConsumerRecord<byte[], byte[]>> rawRecords = consumeCommitted(raw);
        assertThat(rawRecords).hasSize(1);
        assertThat(new String(rawRecords.get(0).key(), StandardCharsets.UTF_8)).isEqualTo("Chris.jpeg");
        assertThat(rawRecords.get(0).value()).isEqualTo(Files.readAllBytes(images.resolve("people/Chris.jpeg")));

        Map<String, ConsumerRecord<byte[], byte[]>> referenceRecords = byKey(consumeCommitted(references));
        assertThat(referenceRecords).containsOnlyKeys("Chris.jpeg", "Bryan.png");
        ImageEvent chris = AvroCodec.decode(referenceRecords.get("Chris.jpeg").value(), ImageEvent.class);
        assertThat(chris.getImageBytes()).isNull();
        assertThat(Path.of(URI.create(chris.getImageUri()))).isEqualTo(images.resolve("people/Chris.jpeg").toAbsolutePath());
    }

    @Test
    void refusesReferencesInRawModeAndAMissingTopic() throws Exception {
        Path images = imageFolder();
        CliRun raw = CliRun.of("produce", "--bootstrap-servers", broker().bootstrapServers(), "--images", images.toString(),
                "--input-format", "raw", "--reference");
        assertThat(raw.code()).isEqualTo(2);
        assertThat(raw.err()).contains("--reference needs --input-format avro");

        CliRun missing = CliRun.of("produce", "--bootstrap-servers", broker().bootstrapServers(), "--images", images.toString(),
                "--input-topic", uniqueTopic("absent"), "--producer-property", "max.block.ms=2000");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("has no topic");
    }

    @Test
    void producesImagesAsFramesOfOneSourceKeyedByItInNameOrder() throws Exception {
        Path images = imageFolder();
        String topic = uniqueTopic("produce-source");
        broker().createTopics(4, topic);

        CliRun run = CliRun.of("produce", "--bootstrap-servers", broker().bootstrapServers(), "--input-topic", topic,
                "--images", images.toString(), "--source", "lobby", "--source-field", "camera", "--frame-interval", "100ms");

        assertThat(run.code()).as(run.err()).isZero();
        List<ConsumerRecord<byte[], byte[]>> records = consumeCommitted(topic);
        assertThat(records).extracting(record -> new String(record.key(), StandardCharsets.UTF_8)).containsOnly("lobby");
        List<ImageEvent> events = records.stream().map(record -> decode(record.value())).sorted(
                java.util.Comparator.comparing(ImageEvent::getEventTime)).toList();
        assertThat(events).extracting(ImageEvent::getEventId).containsExactly("coffee.png", "people/Bryan.png", "people/Chris.jpeg");
        assertThat(Duration.between(events.get(0).getEventTime(), events.get(1).getEventTime())).isEqualTo(Duration.ofMillis(100));
        assertThat(Duration.between(events.get(1).getEventTime(), events.get(2).getEventTime())).isEqualTo(Duration.ofMillis(100));
        assertThat(events).allSatisfy(event -> assertThat(event.getMetadata()).containsEntry("camera", "lobby"));
    }

    @Test
    void rawFramesCarryTheirSourceInAHeaderOnThePartitionTheSourceWouldHaveAsAKey() throws Exception {
        Path images = imageFolder();
        String raw = uniqueTopic("produce-raw-source");
        String keyed = uniqueTopic("produce-keyed-source");
        broker().createTopics(4, raw, keyed);
        String bootstrap = broker().bootstrapServers();

        CliRun.ok("produce", "--bootstrap-servers", bootstrap, "--input-topic", raw, "--images", images.toString(),
                "--input-format", "raw", "--source", "gate-2", "--source-field", "camera");
        CliRun.ok("produce", "--bootstrap-servers", bootstrap, "--input-topic", keyed, "--images", images.toString(),
                "--source", "gate-2");
        CliRun withoutField = CliRun.of("produce", "--bootstrap-servers", bootstrap, "--input-topic", raw,
                "--images", images.toString(), "--input-format", "raw", "--source", "gate-2");

        List<ConsumerRecord<byte[], byte[]>> records = consumeCommitted(raw).stream()
                .sorted(java.util.Comparator.comparingLong(ConsumerRecord::timestamp)).toList();
        assertThat(records).extracting(record -> new String(record.key(), StandardCharsets.UTF_8))
                .containsExactly("coffee.png", "people/Bryan.png", "people/Chris.jpeg");
        assertThat(records).extracting(ConsumerRecord::timestamp).satisfies(times -> {
            assertThat(times.get(1) - times.get(0)).isEqualTo(40);
            assertThat(times.get(2) - times.get(1)).isEqualTo(40);
        });
        assertThat(records).allSatisfy(record -> assertThat(new String(record.headers().lastHeader("camera").value(),
                StandardCharsets.UTF_8)).isEqualTo("gate-2"));
        assertThat(records.get(2).value()).isEqualTo(Files.readAllBytes(images.resolve("people/Chris.jpeg")));
        List<Integer> keyedPartitions = consumeCommitted(keyed).stream().map(ConsumerRecord::partition).distinct().toList();
        assertThat(keyedPartitions).hasSize(1);
        assertThat(records).extracting(ConsumerRecord::partition).containsOnly(keyedPartitions.get(0));
        assertThat(withoutField.code()).isEqualTo(2);
        assertThat(withoutField.err()).contains("--source with --input-format raw").contains("--source-field HEADER");
    }

    @Test
    void producesTheFramesOfAVideoAsJpegsOfOneSourceAtMostFpsPerSecondOfVideoTime() throws Exception {
        Path video = TestVideos.mjpegAvi(tmp.resolve("entrance.avi"), 50, 25);
        String topic = uniqueTopic("produce-video");
        broker().createTopics(2, topic);

        CliRun run = CliRun.of("produce", "--bootstrap-servers", broker().bootstrapServers(), "--input-topic", topic,
                "--video", video.toString(), "--fps", "5");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("Sent 10 of 10 video frame(s) to " + topic).contains("0 failed");
        List<ConsumerRecord<byte[], byte[]>> records = consumeCommitted(topic);
        assertThat(records).extracting(record -> new String(record.key(), StandardCharsets.UTF_8)).hasSize(10).containsOnly("entrance");
        List<ImageEvent> events = records.stream().map(record -> decode(record.value())).sorted(
                java.util.Comparator.comparing(ImageEvent::getEventTime)).toList();
        assertThat(events).extracting(ImageEvent::getEventId).containsExactly("entrance/frame-000000", "entrance/frame-000005",
                "entrance/frame-000010", "entrance/frame-000015", "entrance/frame-000020", "entrance/frame-000025",
                "entrance/frame-000030", "entrance/frame-000035", "entrance/frame-000040", "entrance/frame-000045");
        for (int i = 1; i < events.size(); i++) {
            assertThat(Duration.between(events.get(i - 1).getEventTime(), events.get(i).getEventTime()))
                    .as("5 frames of a 25 fps video").isEqualTo(Duration.ofMillis(200));
        }
        ImageEvent first = events.get(0);
        assertThat(first.getContentType()).isEqualTo("image/jpeg");
        byte[] jpeg = new byte[first.getImageBytes().remaining()];
        first.getImageBytes().get(jpeg);
        try (DecodedImage frame = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE).decode(jpeg, "image/jpeg")) {
            assertThat(frame.width()).isEqualTo(TestVideos.WIDTH);
            assertThat(frame.height()).isEqualTo(TestVideos.HEIGHT);
        }
    }

    @Test
    void aVideoThatCannotBeOpenedIsOneClearMessageAndExitCode2() throws Exception {
        Path notVideo = Files.writeString(tmp.resolve("clip.mp4"), "not a video");
        String topic = uniqueTopic("produce-bad-video");
        broker().createTopics(1, topic);

        CliRun run = CliRun.of("produce", "--bootstrap-servers", broker().bootstrapServers(), "--input-topic", topic,
                "--video", notVideo.toString());
        CliRun both = CliRun.of("produce", "--bootstrap-servers", broker().bootstrapServers(), "--input-topic", topic,
                "--video", notVideo.toString(), "--images", imageFolder().toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--video " + notVideo + ": the bundled OpenCV cannot open it")
                .contains("Motion JPEG AVI");
        assertThat(run.out()).isEmpty();
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("give --images FILE_OR_DIR... or --video FILE, not both");
        assertThat(consumeCommitted(topic)).isEmpty();
    }

    @Test
    void consumeShowsEachFacesTrackId() throws Exception {
        String topic = uniqueTopic("consume-tracked");
        broker().createTopics(1, topic);
        FaceDetectionResult tracked = AnnotatedPictures.result("door/0001.jpg", AnnotatedPictures.FACE, AnnotatedPictures.FACE);
        tracked.getFaces().get(0).setTrackId("door@1795953600000#3");
        writeInTransactions(topic, AvroCodec.encode(tracked), AvroCodec.encode(AnnotatedPictures.result("aborted")),
                AvroCodec.encode(AnnotatedPictures.result("untracked")));

        CliRun run = CliRun.of("consume", "--bootstrap-servers", broker().bootstrapServers(), "--output-topic", topic);

        assertThat(run.code()).as(run.err()).isZero();
        JsonObject line = JsonParser.parseString(run.out().lines().findFirst().orElseThrow()).getAsJsonObject();
        assertThat(line.get("eventId").getAsString()).isEqualTo("door/0001.jpg");
        JsonObject first = line.getAsJsonArray("faces").get(0).getAsJsonObject();
        JsonObject second = line.getAsJsonArray("faces").get(1).getAsJsonObject();
        assertThat(first.getAsJsonObject("trackId").get("string").getAsString()).isEqualTo("door@1795953600000#3");
        assertThat(second.get("trackId").isJsonNull()).as("a face not (yet) on a track").isTrue();
    }

    private static ImageEvent decode(byte[] value) {
        try {
            return AvroCodec.decode(value, ImageEvent.class);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** One committed transaction, one aborted, one committed: read_committed readers see the first and the last. */
    private static void writeInTransactions(String topic, byte[] committed1, byte[] aborted, byte[] committed2) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker().bootstrapServers(),
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tools-it-" + UUID.randomUUID()), new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.initTransactions();
            for (byte[] value : Arrays.asList(committed1, aborted, committed2)) {
                producer.beginTransaction();
                producer.send(new ProducerRecord<>(topic, value)).get();
                if (value == aborted) {
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }
    }

    @Test
    void consumePrintsCommittedResultsOnlyAsJsonLines() throws Exception {
        String topic = uniqueTopic("consume-results");
        broker().createTopics(1, topic);
        writeInTransactions(topic, AvroCodec.encode(AnnotatedPictures.result("committed-1", AnnotatedPictures.FACE)),
                AvroCodec.encode(AnnotatedPictures.result("aborted")),
                AvroCodec.encode(AnnotatedPictures.result("committed-2")));

        CliRun run = CliRun.of("consume", "--bootstrap-servers", broker().bootstrapServers(), "--output-topic", topic);

        assertThat(run.code()).as(run.err()).isZero();
        List<JsonObject> lines = run.out().lines().map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
        assertThat(lines).extracting(line -> line.get("eventId").getAsString()).containsExactly("committed-1", "committed-2");
        JsonObject face = lines.get(0).getAsJsonArray("faces").get(0).getAsJsonObject();
        assertThat(face.getAsJsonObject("box").get("x2").getAsDouble()).isEqualTo(300.0);
        assertThat(face.get("score").getAsDouble()).isCloseTo(0.987, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(run.err()).contains("Read 2 result(s) from " + topic);
    }

    @Test
    void consumeFollowsAGroupAndPrintsDeadLettersWithoutTheirPayload() throws Exception {
        String deadLetters = uniqueTopic("consume-dead");
        broker().createTopics(1, deadLetters);
        byte[] payload = "secret image bytes".getBytes(StandardCharsets.UTF_8);
        DeadLetter dead = DeadLetter.newBuilder().setEventId("bad-1").setReason(DeadLetterReason.CORRUPT_IMAGE)
                .setMessage("truncated").setPayload(ByteBuffer.wrap(payload)).setPayloadSize(payload.length)
                .setFailedAt(Instant.parse("2026-11-29T12:00:00Z")).build();
        writeInTransactions(deadLetters, AvroCodec.encode(dead), AvroCodec.encode(dead), AvroCodec.encode(dead));
        String group = "tools-it-" + UUID.randomUUID();

        CliRun first = CliRun.of("consume", "--bootstrap-servers", broker().bootstrapServers(), "--dead-letters",
                "--dead-letter-topic", deadLetters, "--group-id", group, "--follow", "--max-messages", "1");
        CliRun second = CliRun.of("consume", "--bootstrap-servers", broker().bootstrapServers(), "--dead-letters",
                "--dead-letter-topic", deadLetters, "--group-id", group);

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out().lines()).hasSize(1);
        JsonObject line = JsonParser.parseString(first.out().lines().findFirst().orElseThrow()).getAsJsonObject();
        assertThat(line.get("reason").getAsString()).isEqualTo("CORRUPT_IMAGE");
        assertThat(line.get("payload").isJsonNull()).isTrue();
        assertThat(line.get("payloadSize").getAsLong()).isEqualTo(payload.length);
        assertThat(second.out().lines()).as("the group resumes after the first").hasSize(1);
    }

    @Test
    void imagesProducedByBytesAndByReferenceComeOutOfTheJobToConsumeAndRender() throws Exception {
        Path images = imageFolder();
        String input = uniqueTopic("tools-e2e");
        String output = input + "-detections";
        String deadLetters = input + "-dead-letters";
        broker().createTopics(2, input, output, deadLetters);
        String bootstrap = broker().bootstrapServers();
        CliRun.ok("produce", "--bootstrap-servers", bootstrap, "--input-topic", input,
                "--images", images.resolve("people").toString(), "--reference");
        CliRun.ok("produce", "--bootstrap-servers", bootstrap, "--input-topic", input,
                "--images", images.resolve("coffee.png").toString());

        KafkaSettings kafka = KafkaSettings.builder().bootstrapServers(bootstrap).inputTopic(input).outputTopic(output)
                .deadLetterTopic(deadLetters).groupId(input).transactionalIdPrefix(input).bounded(true).build();
        FaceDetectionSettings detection = FaceDetectionSettings.builder()
                .imageUriAllowList(List.of(images.resolve("people").toUri().toString())).build();
        var env = testEnvironment();
        FaceStreamJob.onKafka(kafka, detection).build(env);
        env.execute("KafkaToolsIT " + input);

        CliRun consumed = CliRun.of("consume", "--bootstrap-servers", bootstrap, "--output-topic", output);
        assertThat(consumed.code()).as(consumed.err()).isZero();
        Map<String, Integer> faces = consumed.out().lines().map(line -> JsonParser.parseString(line).getAsJsonObject())
                .collect(Collectors.toMap(line -> line.get("eventId").getAsString(), line -> line.getAsJsonArray("faces").size()));
        assertThat(faces).containsExactlyInAnyOrderEntriesOf(Map.of("Chris.jpeg", 1, "Bryan.png", 1, "coffee.png", 0));
        CliRun noDeadLetters = CliRun.of("consume", "--bootstrap-servers", bootstrap, "--dead-letters", "--dead-letter-topic", deadLetters);
        assertThat(noDeadLetters.out()).isEmpty();

        Path out = tmp.resolve("annotated");
        CliRun.ok("render", "--bootstrap-servers", bootstrap, "--output-topic", output, "--images", images.resolve("people").toString(),
                "--out", out.toString());
        assertThat(out.resolve("Chris.jpeg.annotated.png")).exists();
        assertThat(out.resolve("Bryan.png.annotated.png")).exists();
    }

    @Test
    void renderDrawsCommittedResultsFromTheTopic() throws Exception {
        String topic = uniqueTopic("render-results");
        broker().createTopics(2, topic);
        writeInTransactions(topic, AvroCodec.encode(AnnotatedPictures.result(AnnotatedPictures.IMAGE, AnnotatedPictures.FACE)),
                AvroCodec.encode(AnnotatedPictures.result("montage_4faces.png", AnnotatedPictures.FACE)),
                AvroCodec.encode(AnnotatedPictures.result("coffee.png")));
        Path out = tmp.resolve("rendered");

        CliRun run = CliRun.of("render", "--bootstrap-servers", broker().bootstrapServers(), "--output-topic", topic,
                "--images", GoldenDetections.testdata().toString(), "--out", out.toString());

        assertThat(run.code()).as(run.err()).isZero();
        AnnotatedPictures.assertShowsFace(GoldenDetections.testdata().resolve(AnnotatedPictures.IMAGE),
                out.resolve("Chris.jpeg.annotated.png"));
        assertThat(out.resolve("coffee.png.annotated.png")).exists();
        assertThat(out.resolve("montage_4faces.png.annotated.png")).as("aborted").doesNotExist();
        assertThat(run.out()).contains("Rendered 2 of 2 result(s)");
    }

}
