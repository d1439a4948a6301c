package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceDetector;
import io.facestream.eval.TrackingScore;
import io.facestream.eval.TrackingSequence;
import java.util.Map;
import java.util.stream.Collectors;
import io.facestream.detect.GoldenDetections;
import io.facestream.output.OutputRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Mat;
import org.opencv.imgcodecs.Imgcodecs;

/** The README's second command: embedded broker, local Flink, a folder of images. */
@Timeout(300)
class LocalCommandIT {

    @TempDir
    Path tmp;

    @Test
    void everyImageGetsAResultOrAnErrorAndTheOutputsAreWritten() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        for (String name : List.of("Bryan.png", "coffee.png", "montage_4faces.png")) {
            Files.copy(GoldenDetections.testdata().resolve(name), images.resolve(name));
        }
        byte[] chris = Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg"));
        Files.write(images.resolve("cut.jpeg"), Arrays.copyOf(chris, chris.length / 3));
        Path out = tmp.resolve("out");

        String console = CliRun.ok("local", "--images", images.toString(), "--out", out.toString());

        assertThat(console)
                .contains("montage_4faces.png").contains("4 face(s)")
                .contains("cut.jpeg").contains("ERROR CORRUPT_IMAGE")
                .contains("Summary: 4 image(s) sent, 3 result(s) with 5 face(s), 1 error(s), 0 missing");
        assertThat(Files.readAllLines(out.resolve("detections.jsonl"))).map(OutputRecords::resultFromJson)
                .extracting(result -> result.getEventId(), result -> result.getFaces().size())
                .containsExactlyInAnyOrder(tuple("Bryan.png", 1), tuple("coffee.png", 0), tuple("montage_4faces.png", 4));
        assertThat(Files.readAllLines(out.resolve("errors.jsonl"))).map(OutputRecords::deadLetterFromJson)
                .extracting(dead -> dead.getEventId(), dead -> dead.getReason())
                .containsExactly(tuple("cut.jpeg", DeadLetterReason.CORRUPT_IMAGE));
        assertThat(console).contains("Annotated pictures: 3 JPEG written, 0 not.");
        for (String name : List.of("Bryan.png", "coffee.png", "montage_4faces.png")) {
            Mat original = Imgcodecs.imread(images.resolve(name).toString());
            Mat annotated = Imgcodecs.imread(out.resolve(name + ".annotated.jpg").toString());
            assertThat(annotated.size()).as(name).isEqualTo(original.size());
        }
        assertThat(out.resolve("cut.jpeg.annotated.jpg")).doesNotExist();
        assertThat(out).isDirectoryNotContaining("glob:**.png");
    }

    @Test
    void annotateNoneWritesTheResultsAndNoPicturesAndTheSummaryNamesTheSkippedFiles() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Files.copy(GoldenDetections.testdata().resolve("Bryan.png"), images.resolve("Bryan.png"));
        Files.writeString(images.resolve("notes.txt"), "not a picture");
        Files.writeString(images.resolve("drawing.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
        Path out = tmp.resolve("out");

        String console = CliRun.ok("local", "--images", images.toString(), "--out", out.toString(), "--annotate", "none");

        assertThat(console).contains("Summary: 1 image(s) sent, 1 result(s)").contains("No annotated pictures (--annotate none).")
                .contains(" 0 missing, skipped 2: drawing.svg, notes.txt (not images by their names); ");
        assertThat(Files.readAllLines(out.resolve("detections.jsonl"))).hasSize(1);
        try (var written = Files.list(out)) {
            assertThat(written.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrder("detections.jsonl", "errors.jsonl");
        }
    }

    /**
     * local --track on two folders, two sources: the made-up sequence (faces crossing, one hidden) in one, a
     * still photo in the other. Each face of the sequence keeps one track id in 95 % of its frames or more.
     */
    @Test
    void trackTreatsEachFolderAsOneSourceAndTheFacesKeepTheirTracks() throws Exception {
        TrackingSequence sequence;
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults()); FaceDetector.Session session = detector.newSession()) {
            sequence = TrackingSequence.generate(GoldenDetections.testdata(), session, TrackingSequence.Settings.defaults().withFrames(40));
        }
        Path images = tmp.resolve("images");
        sequence.write(images.resolve("street"));
        Files.delete(images.resolve("street").resolve("ground-truth.json"));
        Path still = Files.createDirectories(images.resolve("door"));
        for (int i = 0; i < 5; i++) {
            Files.copy(GoldenDetections.testdata().resolve("Bryan.png"), still.resolve("frame-" + i + ".png"));
        }
        Path out = tmp.resolve("out");

        String console = CliRun.ok("local", "--track", "--images", images.toString(), "--out", out.toString(), "--annotate", "none");

        assertThat(console).contains("Summary: 45 image(s) sent, 45 result(s)");
        List<FaceDetectionResult> results = Files.readAllLines(out.resolve("detections.jsonl")).stream()
                .map(OutputRecords::resultFromJson).toList();
        Map<String, List<FaceDetectionResult>> bySource = results.stream()
                .collect(Collectors.groupingBy(result -> result.getEventId().startsWith("street") ? "street" : "door"));
        TrackingScore score = TrackingScore.of(sequence.groundTruth(), TrackingScore.trackedFaces(bySource.get("street").stream()
                .map(result -> { result.setEventId(Path.of(result.getEventId()).getFileName().toString()); return result; }).toList()));
        assertThat(score.identities()).isNotEmpty().allSatisfy(identity -> assertThat(identity.share())
                .as("share of %s's frames under its main track id", identity.id()).isGreaterThanOrEqualTo(0.95));
        assertThat(score.identities()).allSatisfy(identity -> assertThat(identity.mainTrackId()).startsWith("street/"));
        assertThat(bySource.get("door")).flatExtracting(FaceDetectionResult::getFaces).extracting(Face::getTrackId)
                .filteredOn(id -> id != null).hasSize(4).allSatisfy(id -> assertThat(id).startsWith("door/")).containsOnly(
                        bySource.get("door").stream().flatMap(r -> r.getFaces().stream()).map(Face::getTrackId)
                                .filter(id -> id != null).findFirst().orElseThrow());
    }
}
