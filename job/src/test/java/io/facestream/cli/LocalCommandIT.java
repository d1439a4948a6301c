package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.GoldenDetections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
        assertThat(Files.readAllLines(out.resolve("detections.jsonl"))).hasSize(3)
                .allMatch(line -> line.startsWith("{\"eventId\": "));
        assertThat(Files.readAllLines(out.resolve("errors.jsonl"))).singleElement().asString().contains("CORRUPT_IMAGE");
        assertThat(out.resolve("montage_4faces.png.annotated.png")).isNotEmptyFile();
        assertThat(out.resolve("Bryan.png.annotated.png")).isNotEmptyFile();
    }
}
