package io.facestream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictionsTest {

    @TempDir
    Path tmp;

    @Test
    void readsOneFilePerImageSortsByScoreAndCountsMissingAndStrayFiles() throws Exception {
        double[][] face = {{0, 0, 10, 10}};
        GroundTruth gt = WiderFaceEvaluationTest.groundTruth(Map.of(
                "0--Parade/0_Parade_1.jpg", face, "0--Parade/0_Parade_2.jpg", face, "1--Handshaking/1_Handshaking_3.jpg", face));
        Path dir = Files.createDirectories(tmp.resolve("pred/0--Parade"));
        Files.writeString(dir.resolve("0_Parade_1.txt"), """
                0_Parade_1
                3
                1 2 3 4 0.5
                5 6 7 8 0.9 extra values ignored
                9 10 11 12 0.5

                """);
        Files.writeString(dir.resolve("0_Parade_9.txt"), "0_Parade_9\n0\n");
        Files.writeString(tmp.resolve("pred/1--Handshaking.txt"), "not an image of the ground truth\n");

        Predictions predictions = Predictions.read(tmp.resolve("pred"), gt);
        assertThat(predictions.files()).isEqualTo(1);
        assertThat(predictions.detections()).isEqualTo(3);
        assertThat(predictions.of("0--Parade/0_Parade_1.jpg"))
                .as("highest score first, ties in file order")
                .isDeepEqualTo(new double[][] {{5, 6, 7, 8, 0.9}, {1, 2, 3, 4, 0.5}, {9, 10, 11, 12, 0.5}});
        assertThat(predictions.missing()).containsExactly("0--Parade/0_Parade_2.jpg", "1--Handshaking/1_Handshaking_3.jpg");
        assertThat(predictions.of("0--Parade/0_Parade_2.jpg")).isEmpty();
        assertThat(predictions.strayFiles()).isEqualTo(2);
    }

    @Test
    void aMalformedFileFailsWithItsNameAndLine() throws Exception {
        Path file = tmp.resolve("a.txt");
        Files.writeString(file, "a\n2\n1 2 3 4 0.5\n");
        assertThatThrownBy(() -> Predictions.readFile(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.txt: says 2 detection(s) on line 2 but has 1");
        Files.writeString(file, "a\nmany\n");
        assertThatThrownBy(() -> Predictions.readFile(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.txt line 2: expected the detection count, found 'many'");
        Files.writeString(file, "a\n1\n1 2 3 4\n");
        assertThatThrownBy(() -> Predictions.readFile(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.txt line 3: expected 'x y w h score'");
        Files.writeString(file, "a\n1\n1 2 3 4 NaN\n");
        assertThatThrownBy(() -> Predictions.readFile(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.txt line 3: 'NaN' is not a finite number");
        Files.writeString(file, "a\n");
        assertThatThrownBy(() -> Predictions.readFile(file))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first two lines");
        assertThatThrownBy(() -> Predictions.read(tmp.resolve("absent"), WiderFaceEvaluationTest.groundTruth(Map.of())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent: not a folder");
    }

    @Test
    void anEmptyFileMeansNoDetections() throws Exception {
        Path file = Files.writeString(tmp.resolve("a.txt"), "a\n0\n");
        assertThat(Predictions.readFile(file)).isEmpty();
        assertThat(new Predictions(Map.of(), List.of(), 0, 0).detections()).isZero();
    }
}
