package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.GoldenDetections;
import io.facestream.output.OutputRecords;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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

    @Test
    void needsExactlyOneSourceOfResults() {
        CliRun run = CliRun.of("render", "--images", GoldenDetections.testdata().toString(), "--out", tmp.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("give --detections FILE, or --bootstrap-servers");
    }
}
