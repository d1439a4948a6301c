package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EvaluateCommandTest {

    @TempDir
    Path tmp;


    /** Two images with two faces each; the second face of the first image counts only at hard. */
    private Path groundTruth() throws Exception {
        return Files.writeString(tmp.resolve("gt.jsonl"), """
                {"columns": ["x", "y", "w", "h", "in_easy", "in_medium", "in_hard"], "note": "test"}
                {"image": "0--Parade/0_Parade_1.jpg", "width": 200, "height": 100, "faces": [[10, 10, 20, 20, 1, 1, 1], [100, 10, 20, 20, 0, 0, 1]]}
                {"image": "1--Handshaking/1_Handshaking_2.jpg", "width": 200, "height": 100, "faces": [[10, 10, 20, 20, 1, 1, 1], [100, 10, 20, 20, 1, 1, 1]]}
                """);
    }

    @Test
    void printsApCountsAndMissingFiles() throws Exception {
        Path pred = Files.createDirectories(tmp.resolve("pred/0--Parade"));
        // Finds the easy face (score 0.9) and the hard-only face (0.8), and a miss at 0.5.
        Files.writeString(pred.resolve("0_Parade_1.txt"), """
                0_Parade_1
                3
                10 10 20 20 0.9
                100 10 20 20 0.8
                50 50 20 20 0.5
                """);
        // 1--Handshaking/1_Handshaking_2 has no file: its two faces are not found.

        CliRun run = CliRun.of("evaluate", "--gt", groundTruth().toString(), "--pred", tmp.resolve("pred").toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out())
                .contains("2 image(s), 4 face(s)")
                .contains("Keep-lists: columns in_easy, in_medium, in_hard of gt.jsonl")
                .contains("1 file(s), 3 detection(s)")
                .contains("Missing prediction files: 1 (counted as images without detections)")
                .contains("  1--Handshaking/1_Handshaking_2.jpg")
                .containsPattern("easy +\\d+\\.\\d\\d +2 +3\\n")
                .containsPattern("hard +\\d+\\.\\d\\d +2 +4\\n");
        // Easy: 1 of 3 faces at precision 1 (the hard-only face is ignored), then the miss: AP 1/3.
        // Hard: faces 1 and 2 of 4 at precision 1: AP 1/2.
        String summary = run.out().lines().reduce((a, b) -> b).orElseThrow();
        assertThat(summary).isEqualTo("easy 33.33  medium 33.33  hard 50.00");
    }

    @Test
    void withoutKeepListsSaysEveryFaceCounts() throws Exception {
        Path gt = Files.writeString(tmp.resolve("wider_face_val_bbx_gt.txt"), """
                0--Parade/0_Parade_1.jpg
                1
                10 10 20 20 0 0 0 0 0 0
                """);
        Path pred = Files.createDirectories(tmp.resolve("pred/0--Parade"));
        Files.writeString(pred.resolve("0_Parade_1.txt"), "0_Parade_1\n1\n10 10 20 20 0.9\n");
        CliRun run = CliRun.of("evaluate", "--gt", gt.toString(), "--pred", tmp.resolve("pred").toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.out()).contains("(text layout)").contains("Keep-lists: none, so every face counts at every level")
                .contains("Missing prediction files: 0").endsWith("easy 100.00  medium 100.00  hard 100.00" + System.lineSeparator());
    }

    @Test
    void badInputFailsWithAMessageAndExitCodeTwo() throws Exception {
        Path gt = groundTruth();
        Path pred = Files.createDirectories(tmp.resolve("pred"));
        CliRun iou = CliRun.of("evaluate", "--gt", gt.toString(), "--pred", pred.toString(), "--iou", "1.5");
        assertThat(iou.code()).isEqualTo(2);
        assertThat(iou.err()).contains("--iou 1.5: must be above 0 and at most 1");

        CliRun oneList = CliRun.of("evaluate", "--gt", gt.toString(), "--pred", pred.toString(), "--easy", gt.toString());
        assertThat(oneList.code()).isEqualTo(2);
        assertThat(oneList.err()).contains("give all three keep-lists or none");

        CliRun noDir = CliRun.of("evaluate", "--gt", gt.toString(), "--pred", tmp.resolve("absent").toString());
        assertThat(noDir.code()).isEqualTo(2);
        assertThat(noDir.err()).contains("absent: not a folder");

        Files.createDirectories(pred.resolve("0--Parade"));
        Files.writeString(pred.resolve("0--Parade/0_Parade_1.txt"), "0_Parade_1\n2\n10 10 20 20 0.9\n");
        CliRun malformed = CliRun.of("evaluate", "--gt", gt.toString(), "--pred", pred.toString());
        assertThat(malformed.code()).isEqualTo(2);
        assertThat(malformed.err()).contains("0_Parade_1.txt: says 2 detection(s) on line 2 but has 1");
    }
}
