package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.facestream.avro.DeadLetterReason;
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
    void annotateNoneWritesTheResultsAndNoPictures() throws Exception {
        Path images = Files.createDirectories(tmp.resolve("images"));
        Files.copy(GoldenDetections.testdata().resolve("Bryan.png"), images.resolve("Bryan.png"));
        Path out = tmp.resolve("out");

        String console = CliRun.ok("local", "--images", images.toString(), "--out", out.toString(), "--annotate", "none");

        assertThat(console).contains("Summary: 1 image(s) sent, 1 result(s)").contains("No annotated pictures (--annotate none).");
        assertThat(Files.readAllLines(out.resolve("detections.jsonl"))).hasSize(1);
        try (var written = Files.list(out)) {
            assertThat(written.map(file -> file.getFileName().toString()))
                    .containsExactlyInAnyOrder("detections.jsonl", "errors.jsonl");
        }
    }
}
