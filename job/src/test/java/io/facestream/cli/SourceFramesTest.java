package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.ImageEvent;
import io.facestream.detect.GoldenDetections;
import io.facestream.job.InputFormat;
import io.facestream.schemas.AvroCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How local sends a folder tree: without --track as before, with it each folder a source of frames in name order. */
class SourceFramesTest {

    private static final Instant START = Instant.parse("2026-11-29T12:00:00Z");

    @TempDir
    Path tmp;

    /** {@code lobby/}: two pictures at its top, three in {@code door/}, one in {@code yard/north/}, and a file that is no image. */
    private Path folderTree() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("lobby"));
        Path chris = GoldenDetections.testdata().resolve("Chris.jpeg");
        for (String name : List.of("b.jpg", "a.jpg", "door/0002.jpg", "door/0001.jpg", "door/0010.jpg", "yard/north/0001.jpg")) {
            Files.createDirectories(root.resolve(name).getParent());
            Files.copy(chris, root.resolve(name));
        }
        Files.writeString(root.resolve("door/notes.txt"), "not an image");
        return root;
    }

    /** What local would put on the topic: key, event id and event time of each record, in the order sent. */
    private static List<String> sent(Iterator<ImageSender.Outgoing> outgoing) throws Exception {
        ImageRecords records = new ImageRecords("images", 2, InputFormat.AVRO, false);
        List<String> sent = new ArrayList<>();
        while (outgoing.hasNext()) {
            ProducerRecord<byte[], byte[]> record = outgoing.next().maker().make(records);
            ImageEvent event = AvroCodec.decode(record.value(), ImageEvent.class);
            sent.add(new String(record.key(), StandardCharsets.UTF_8) + " " + event.getEventId() + " +"
                    + Duration.between(START, event.getEventTime()).toMillis());
        }
        return sent;
    }

    @Test
    void withTrackingEachFolderIsASourceAndItsImagesAreFramesInNameOrderInterleavedByEventTime() throws Exception {
        Path root = folderTree();
        List<ImageFiles.ImageFile> files = ImageFiles.collect(List.of(root), true);

        List<SourceFrames.FileFrame> frames = SourceFrames.byFolder(root, files, START, Duration.ofMillis(40));
        List<String> sent = sent(frames.stream().map(frame -> SourceFrames.outgoing(frame, null)).iterator());

        assertThat(sent).containsExactly(
                "door door/0001.jpg +0",
                "lobby a.jpg +0",
                "yard/north yard/north/0001.jpg +0",
                "door door/0002.jpg +40",
                "lobby b.jpg +40",
                "door door/0010.jpg +80");
    }

    @Test
    void theRootIsNamedDotWhereASubFolderHasItsName() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("cams"));
        Files.createDirectories(root.resolve("cams"));
        Files.copy(GoldenDetections.testdata().resolve("Chris.jpeg"), root.resolve("top.jpg"));
        Files.copy(GoldenDetections.testdata().resolve("Chris.jpeg"), root.resolve("cams/inner.jpg"));

        List<SourceFrames.FileFrame> frames = SourceFrames.byFolder(root, ImageFiles.collect(List.of(root), true), START,
                Duration.ofMillis(40));

        assertThat(frames).extracting(frame -> frame.file().name() + " " + frame.source())
                .containsExactlyInAnyOrder("top.jpg .", "cams/inner.jpg cams");
    }

    @Test
    void withoutTrackingLocalSendsTheTopFolderOnlyKeyedByEventIdAsBefore() throws Exception {
        Path root = folderTree();
        List<ImageFiles.ImageFile> files = ImageFiles.collect(List.of(root), false);
        Instant before = Instant.now();

        List<String> sent = new ArrayList<>();
        ImageRecords records = new ImageRecords("images", 2, InputFormat.AVRO, false);
        Iterator<ImageSender.Outgoing> outgoing = LocalCommand.toSend(root, files, false, Duration.ofMillis(40), null);
        while (outgoing.hasNext()) {
            ProducerRecord<byte[], byte[]> record = outgoing.next().maker().make(records);
            ImageEvent event = AvroCodec.decode(record.value(), ImageEvent.class);
            assertThat(event.getEventTime()).as("the moment of sending").isBetween(before.truncatedTo(ChronoUnit.MILLIS),
                    Instant.now());
            sent.add(new String(record.key(), StandardCharsets.UTF_8) + " " + event.getEventId());
        }

        assertThat(sent).containsExactly("a.jpg a.jpg", "b.jpg b.jpg");
    }

    @Test
    void localWithTrackingSendsFramesFromNowOnTheFrameIntervalApartWithTheSourceAlsoInAFieldWhereOneIsNamed() throws Exception {
        Path root = folderTree();
        Instant before = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        ImageRecords records = new ImageRecords("images", 2, InputFormat.AVRO, false);

        Iterator<ImageSender.Outgoing> outgoing = LocalCommand.toSend(root, ImageFiles.collect(List.of(root), true), true,
                Duration.ofMillis(100), "camera");
        List<ImageEvent> events = new ArrayList<>();
        while (outgoing.hasNext()) {
            events.add(AvroCodec.decode(outgoing.next().maker().make(records).value(), ImageEvent.class));
        }

        List<ImageEvent> door = events.stream().filter(event -> event.getEventId().startsWith("door/")).toList();
        assertThat(door).extracting(ImageEvent::getEventId).containsExactly("door/0001.jpg", "door/0002.jpg", "door/0010.jpg");
        assertThat(door.get(0).getEventTime()).isBetween(before, Instant.now());
        assertThat(Duration.between(door.get(0).getEventTime(), door.get(2).getEventTime())).isEqualTo(Duration.ofMillis(200));
        assertThat(door).allSatisfy(event -> assertThat(event.getMetadata()).containsEntry("camera", "door"));
    }
}
