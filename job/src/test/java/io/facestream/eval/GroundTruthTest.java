package io.facestream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroundTruthTest {

    @TempDir
    Path tmp;

    private static final String TEXT = """
            0--Parade/0_Parade_1.jpg
            2
            10 20 30 40 0 0 0 0 0 0 \s
            50 60 7 8 2 0 0 0 1 0
            1--Handshaking/1_Handshaking_2.jpg
            0
            0 0 0 0 0 0 0 0 0 0
            1--Handshaking/1_Handshaking_3.jpg
            1
            1.5 2.5 3.25 4.75 1 0 0 0 0 0
            """;

    @Test
    void textLayoutSkipsTheRowOfZerosOfAnImageWithoutFacesAndCountsEveryFaceWithoutKeepLists() throws Exception {
        Path file = Files.writeString(tmp.resolve("wider_face_val_bbx_gt.txt"), TEXT);
        GroundTruth gt = GroundTruth.read(file, Map.of());
        assertThat(gt.layout()).isEqualTo("text");
        assertThat(gt.images()).extracting(GroundTruthImage::image).containsExactly(
                "0--Parade/0_Parade_1.jpg", "1--Handshaking/1_Handshaking_2.jpg", "1--Handshaking/1_Handshaking_3.jpg");
        assertThat(gt.images().get(0).boxes()).isDeepEqualTo(new double[][] {{10, 20, 30, 40}, {50, 60, 7, 8}});
        assertThat(gt.images().get(1).boxes()).isEmpty();
        assertThat(gt.images().get(2).boxes()).isDeepEqualTo(new double[][] {{1.5, 2.5, 3.25, 4.75}});
        assertThat(gt.hasKeepLists()).isFalse();
        for (Level level : Level.values()) {
            assertThat(gt.images().get(0).keptFaces(level)).isEqualTo(2);
        }
        assertThat(gt.faces()).isEqualTo(3);
    }

    @Test
    void textLayoutTakesItsKeepListsFromFiles() throws Exception {
        Path file = Files.writeString(tmp.resolve("gt.txt"), TEXT);
        Map<Level, Path> lists = new EnumMap<>(Level.class);
        lists.put(Level.EASY, Files.writeString(tmp.resolve("easy.txt"), """
                # image, then the 1-based indices of its faces that count
                0--Parade/0_Parade_1.jpg 1
                1--Handshaking/1_Handshaking_2.jpg
                1--Handshaking/1_Handshaking_3.jpg
                """));
        lists.put(Level.MEDIUM, Files.writeString(tmp.resolve("medium.txt"), """
                0--Parade/0_Parade_1.jpg 1
                1--Handshaking/1_Handshaking_2.jpg
                1--Handshaking/1_Handshaking_3.jpg 1
                """));
        lists.put(Level.HARD, Files.writeString(tmp.resolve("hard.txt"), """
                0--Parade/0_Parade_1 2 1
                1--Handshaking/1_Handshaking_2
                1--Handshaking/1_Handshaking_3 1
                """));
        GroundTruth gt = GroundTruth.read(file, lists);
        assertThat(gt.hasKeepLists()).isTrue();
        assertThat(gt.keepListSource()).contains("easy.txt", "medium.txt", "hard.txt");
        GroundTruthImage parade = gt.images().get(0);
        assertThat(parade.keep().get(Level.EASY)).containsExactly(true, false);
        assertThat(parade.keep().get(Level.HARD)).containsExactly(true, true);
        assertThat(gt.images().get(2).keep().get(Level.EASY)).containsExactly(false);
        assertThat(gt.images().get(2).keep().get(Level.MEDIUM)).containsExactly(true);
    }

    @Test
    void keepListsMustCoverEveryImageAndNameExistingFaces() throws Exception {
        Path file = Files.writeString(tmp.resolve("gt.txt"), TEXT);
        Path complete = Files.writeString(tmp.resolve("complete.txt"), """
                0--Parade/0_Parade_1.jpg 1 2
                1--Handshaking/1_Handshaking_2.jpg
                1--Handshaking/1_Handshaking_3.jpg 1
                """);
        Path partial = Files.writeString(tmp.resolve("partial.txt"), "0--Parade/0_Parade_1.jpg 1\n");
        Path beyond = Files.writeString(tmp.resolve("beyond.txt"), """
                0--Parade/0_Parade_1.jpg 3
                1--Handshaking/1_Handshaking_2.jpg
                1--Handshaking/1_Handshaking_3.jpg
                """);
        Path zero = Files.writeString(tmp.resolve("zero.txt"), "0--Parade/0_Parade_1.jpg 0\n");
        assertThatThrownBy(() -> GroundTruth.read(file, levels(partial, complete, complete)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("partial.txt: no entry for image 1--Handshaking/1_Handshaking_2.jpg");
        assertThatThrownBy(() -> GroundTruth.read(file, levels(complete, beyond, complete)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("face 3 of image 0--Parade/0_Parade_1.jpg, which has 2 face(s)");
        assertThatThrownBy(() -> GroundTruth.read(file, levels(complete, complete, zero)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("zero.txt line 1: face index '0' is not a positive whole number");
        assertThatThrownBy(() -> GroundTruth.read(file, Map.of(Level.EASY, complete)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("give one for each of easy, medium and hard");
    }

    @Test
    void jsonlLooksItsColumnsUpByName() throws Exception {
        Path file = Files.writeString(tmp.resolve("truth.data"), """
                {"columns": ["in_hard", "w", "h", "x", "y", "in_easy", "in_medium", "blur"], "note": "test"}
                {"image": "0--Parade/0_Parade_1.jpg", "width": 100, "height": 80, "faces": [[1, 30, 40, 10, 20, 0, 1, 2], [1, 7, 8, 50, 60, 1, 1, 0]]}

                {"image": "1--Handshaking/1_Handshaking_2.jpg", "width": 100, "height": 80, "faces": []}
                """);
        GroundTruth gt = GroundTruth.read(file, Map.of());
        assertThat(gt.layout()).as("told by its first character").isEqualTo("jsonl");
        assertThat(gt.images()).hasSize(2);
        GroundTruthImage parade = gt.images().get(0);
        assertThat(parade.boxes()).isDeepEqualTo(new double[][] {{10, 20, 30, 40}, {50, 60, 7, 8}});
        assertThat(parade.keep().get(Level.EASY)).containsExactly(false, true);
        assertThat(parade.keep().get(Level.MEDIUM)).containsExactly(true, true);
        assertThat(parade.keep().get(Level.HARD)).containsExactly(true, true);
        assertThat(gt.hasKeepLists()).isTrue();
        assertThat(gt.keepListSource()).contains("in_easy");
        assertThat(gt.images().get(1).boxes()).isEmpty();
    }

    @Test
    void jsonlWithoutFlagColumnsCountsEveryFace() throws Exception {
        Path file = Files.writeString(tmp.resolve("gt.jsonl"), """
                {"columns": ["x", "y", "w", "h"]}
                {"image": "e/a.jpg", "faces": [[1, 2, 3, 4]]}
                """);
        GroundTruth gt = GroundTruth.read(file, Map.of());
        assertThat(gt.hasKeepLists()).isFalse();
        assertThat(gt.images().get(0).keep().get(Level.EASY)).containsExactly(true);
    }

    @Test
    void malformedGroundTruthFailsWithFileAndLine() throws Exception {
        Path noHeader = Files.writeString(tmp.resolve("a.jsonl"), "{\"image\": \"e/a.jpg\", \"faces\": []}\n");
        assertThatThrownBy(() -> GroundTruth.read(noHeader, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("a.jsonl line 1: the first line must be the header");
        Path shortRow = Files.writeString(tmp.resolve("b.jsonl"), """
                {"columns": ["x", "y", "w", "h", "blur"]}
                {"image": "e/a.jpg", "faces": [[1, 2, 3, 4]]}
                """);
        assertThatThrownBy(() -> GroundTruth.read(shortRow, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("b.jsonl line 2: a face of e/a.jpg is not a row of the 5 header columns");
        Path badCount = Files.writeString(tmp.resolve("c.txt"), "e/a.jpg\nthree\n");
        assertThatThrownBy(() -> GroundTruth.read(badCount, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("c.txt line 2: expected the face count of e/a.jpg, found 'three'");
        Path truncated = Files.writeString(tmp.resolve("d.txt"), "e/a.jpg\n2\n1 2 3 4\n");
        assertThatThrownBy(() -> GroundTruth.read(truncated, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("d.txt line 4: expected face 2 of 2 of e/a.jpg");
        Path twice = Files.writeString(tmp.resolve("e.txt"), "e/a.jpg\n1\n1 2 3 4\ne/a.jpg\n1\n1 2 3 4\n");
        assertThatThrownBy(() -> GroundTruth.read(twice, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image e/a.jpg appears twice");
        assertThatThrownBy(() -> GroundTruth.read(tmp.resolve("absent.txt"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("absent.txt: no such file");
    }

    static Map<Level, Path> levels(Path easy, Path medium, Path hard) {
        Map<Level, Path> lists = new EnumMap<>(Level.class);
        lists.put(Level.EASY, easy);
        lists.put(Level.MEDIUM, medium);
        lists.put(Level.HARD, hard);
        return lists;
    }
}
