package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.GoldenDetections;
import io.facestream.output.Annotator;
import io.facestream.output.OutputRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

@Timeout(120)
class RenderCommandTest {

    @TempDir
    Path tmp;

    @Test
    void drawsTheFacesOfADetectionsJsonlOntoTheImages() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images/sub"));
        Files.copy(GoldenDetections.testdata().resolve(AnnotatedPictures.IMAGE), images.resolve(AnnotatedPictures.IMAGE));
        Path detections = tmp.resolve("detections.jsonl");
        Files.write(detections, List.of(AnnotatedPictures.detectionsLine("sub/" + AnnotatedPictures.IMAGE),
                AnnotatedPictures.detectionsLine("sub/missing.jpg")));
        Path out = tmp.resolve("out");

        CliRun run = CliRun.of("render", "--detections", detections.toString(), "--images", tmp.resolve("images").toString(),
                "--out", out.toString());

        assertThat(run.code()).as(run.err()).isZero();
        AnnotatedPictures.assertShowsFace(images.resolve(AnnotatedPictures.IMAGE), out.resolve("sub_Chris.jpeg.annotated.png"));
        assertThat(out.resolve("sub_missing.jpg.annotated.png")).doesNotExist();
        assertThat(run.out()).contains("Rendered 1 of 2 result(s)").contains("1 face(s)").contains("1 not rendered");
        assertThat(run.err()).contains("not rendered: sub/missing.jpg: no such image");
    }

    @Test
    void readsTheResultRecordsJsonThatConsumeAndLocalWrite() throws Exception {
        Path detections = tmp.resolve("detections.jsonl");
        Files.writeString(detections, OutputRecords.json(AnnotatedPictures.result(AnnotatedPictures.IMAGE, AnnotatedPictures.FACE)) + "\n");
        Path out = tmp.resolve("out");

        String console = CliRun.ok("render", "--detections", detections.toString(), "--images",
                GoldenDetections.testdata().toString(), "--out", out.toString());

        AnnotatedPictures.assertShowsFace(GoldenDetections.testdata().resolve(AnnotatedPictures.IMAGE),
                out.resolve("Chris.jpeg.annotated.png"));
        assertThat(console).contains("Rendered 1 of 1 result(s)");
    }

    /** The same result with and without a track id: the pictures differ where the id's label goes, and only there. */
    @Test
    void drawsAFacesTrackIdBelowItsBox() throws Exception {
        Path tracked = Files.writeString(tmp.resolve("tracked.jsonl"),
                AnnotatedPictures.trackedDetectionsLine(AnnotatedPictures.IMAGE, "door-cam/7") + "\n");
        Path untracked = Files.writeString(tmp.resolve("untracked.jsonl"),
                AnnotatedPictures.detectionsLine(AnnotatedPictures.IMAGE) + "\n");
        String images = GoldenDetections.testdata().toString();

        CliRun.ok("render", "--detections", tracked.toString(), "--images", images, "--out", tmp.resolve("tracked").toString());
        CliRun.ok("render", "--detections", untracked.toString(), "--images", images, "--out", tmp.resolve("untracked").toString());

        Path withId = tmp.resolve("tracked/Chris.jpeg.annotated.png");
        AnnotatedPictures.assertShowsFace(GoldenDetections.testdata().resolve(AnnotatedPictures.IMAGE), withId);
        Mat with = Imgcodecs.imread(withId.toString());
        Mat without = Imgcodecs.imread(tmp.resolve("untracked/Chris.jpeg.annotated.png").toString());
        Mat difference = new Mat();
        Core.absdiff(with, without, difference);
        Mat changed = new Mat();
        Core.inRange(difference, new Scalar(0, 0, 0), new Scalar(0, 0, 0), changed);
        Core.bitwise_not(changed, changed);
        Rect label = Annotator.trackLabelBox(AnnotatedPictures.FACE, "door-cam/7", 512, 678);
        assertThat(label.y).as("below the box, which ends at 360").isGreaterThan(360);
        int changedEverywhere = Core.countNonZero(changed);
        assertThat(changedEverywhere).as("pixels of the track id").isGreaterThan(100);
        assertThat(Core.countNonZero(changed.submat(label))).as("all of them in its label box %s; changed: %s", label, Imgproc.boundingRect(changed)).isEqualTo(changedEverywhere);
    }

    @Test
    void needsExactlyOneSourceOfResults() {
        CliRun run = CliRun.of("render", "--images", GoldenDetections.testdata().toString(), "--out", tmp.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("give --detections FILE, or --bootstrap-servers");
    }
}
