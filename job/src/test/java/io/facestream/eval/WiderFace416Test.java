package io.facestream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation on the 40 WIDER FACE validation images in {@code ../shared/eval/widerface416} with
 * their official keep-lists. Skipped where that research-only folder is absent.
 */
class WiderFace416Test {

    @TempDir
    Path tmp;

    @Test
    void theGroundTruthItselfScoresOneHundredAtEveryLevel() throws Exception {
        GroundTruth gt = GroundTruth.read(EvalTestFiles.widerFace416().resolve("gt.jsonl"), Map.of());
        assertThat(gt.hasKeepLists()).isTrue();
        assertThat(gt.images()).hasSize(40);

        Map<String, List<double[]>> sameScore = new LinkedHashMap<>();
        Map<String, List<double[]>> descending = new LinkedHashMap<>();
        double score = 1.0;
        for (GroundTruthImage image : gt.images()) {
            List<double[]> same = new ArrayList<>();
            List<double[]> down = new ArrayList<>();
            for (double[] box : image.boxes()) {
                same.add(new double[] {box[0], box[1], box[2], box[3], 1.0});
                down.add(new double[] {box[0], box[1], box[2], box[3], score});
                score -= 0.001;
            }
            sameScore.put(image.image(), same);
            descending.put(image.image(), down);
        }
        for (Map<String, List<double[]>> detections : List.of(sameScore, descending)) {
            Path dir = EvalTestFiles.writePredictions(Files.createTempDirectory(tmp, "pred"), detections);
            Predictions predictions = Predictions.read(dir, gt);
            assertThat(predictions.missing()).isEmpty();
            WiderFaceEvaluation.Result result = WiderFaceEvaluation.evaluate(gt, predictions, 0.5);
            for (Level level : Level.values()) {
                assertThat(result.level(level).averagePrecision()).as(level.label()).isCloseTo(1.0, within(1e-8));
                assertThat(result.level(level).faces()).as(level.label()).isPositive();
            }
        }
    }

    @Test
    void aDetectionOnAFaceOutsideTheEasyKeepListLeavesEasyApUnchanged() throws Exception {
        GroundTruth gt = GroundTruth.read(EvalTestFiles.widerFace416().resolve("gt.jsonl"), Map.of());
        Map<String, List<double[]>> detections = everySecondFaceAndSomeMisses(gt);
        WiderFaceEvaluation.Result before = evaluate(gt, detections);

        // A face that counts at hard but not at easy, detected exactly, with a score inside the run's range.
        GroundTruthImage image = null;
        int face = -1;
        for (GroundTruthImage candidate : gt.images()) {
            for (int f = 0; f < candidate.boxes().length && face < 0; f++) {
                if (!candidate.keep().get(Level.EASY)[f] && candidate.keep().get(Level.HARD)[f] && f % 2 == 1) {
                    image = candidate;
                    face = f;
                }
            }
            if (face >= 0) {
                break;
            }
        }
        assertThat(image).as("a face kept at hard only").isNotNull();
        double[] box = image.boxes()[face];
        detections.get(image.image()).add(new double[] {box[0], box[1], box[2], box[3], 0.77});
        WiderFaceEvaluation.Result after = evaluate(gt, detections);

        assertThat(after.minScore()).isEqualTo(before.minScore());
        assertThat(after.maxScore()).isEqualTo(before.maxScore());
        assertThat(after.level(Level.EASY).averagePrecision()).isEqualTo(before.level(Level.EASY).averagePrecision());
        assertThat(before.level(Level.EASY).averagePrecision()).as("neither 0 nor perfect").isStrictlyBetween(0.0, 1.0);
        assertThat(after.level(Level.HARD).averagePrecision()).isGreaterThan(before.level(Level.HARD).averagePrecision());
    }

    @Test
    void theTextLayoutWithMatKeepListsAgreesWithTheJsonl() throws Exception {
        Path data = EvalTestFiles.widerFace416();
        GroundTruth jsonl = GroundTruth.read(data.resolve("gt.jsonl"), Map.of());
        // The official keep-list files, rebuilt from the jsonl's in_* columns: per event, per image, kept face indices.
        Map<Level, Path> mats = new EnumMap<>(Level.class);
        for (Level level : Level.values()) {
            Map<String, Map<String, int[]>> events = new LinkedHashMap<>();
            for (GroundTruthImage image : jsonl.images()) {
                String[] eventAndName = image.key().split("/");
                boolean[] keep = image.keep().get(level);
                List<Integer> kept = new ArrayList<>();
                for (int f = 0; f < keep.length; f++) {
                    if (keep[f]) {
                        kept.add(f + 1);
                    }
                }
                events.computeIfAbsent(eventAndName[0], e -> new LinkedHashMap<>())
                        .put(eventAndName[1], kept.stream().mapToInt(Integer::intValue).toArray());
            }
            Path mat = tmp.resolve("wider_" + level.label() + "_val.mat");
            // Hard takes its names from wider_face_val.mat, as the official files may need to.
            KeepListsTest.writeMat(mat, events, level != Level.HARD);
            if (level == Level.HARD) {
                KeepListsTest.writeNamesMat(tmp.resolve(KeepLists.WIDER_VAL_MAT), events);
            }
            mats.put(level, mat);
        }
        GroundTruth text = GroundTruth.read(data.resolve("wider_bbx_gt.txt"), mats);
        assertThat(text.layout()).isEqualTo("text");
        assertThat(text.images()).extracting(GroundTruthImage::image)
                .containsExactlyElementsOf(jsonl.images().stream().map(GroundTruthImage::image).toList());

        Map<String, List<double[]>> detections = everySecondFaceAndSomeMisses(jsonl);
        WiderFaceEvaluation.Result fromJsonl = evaluate(jsonl, detections);
        WiderFaceEvaluation.Result fromText = evaluate(text, detections);
        for (Level level : Level.values()) {
            assertThat(fromText.level(level).faces()).as(level.label()).isEqualTo(fromJsonl.level(level).faces());
            assertThat(fromText.level(level).images()).as(level.label()).isEqualTo(fromJsonl.level(level).images());
            assertThat(fromText.level(level).averagePrecision()).as(level.label())
                    .isCloseTo(fromJsonl.level(level).averagePrecision(), within(1e-9));
        }
    }

    @Test
    void withoutKeepListsFindingEveryOtherFaceGivesAboutHalf() throws Exception {
        GroundTruth text = GroundTruth.read(EvalTestFiles.widerFace416().resolve("wider_bbx_gt.txt"), Map.of());
        assertThat(text.hasKeepLists()).isFalse();
        Map<String, List<double[]>> detections = new LinkedHashMap<>();
        double score = 1.0;
        int found = 0;
        for (GroundTruthImage image : text.images()) {
            List<double[]> boxes = new ArrayList<>();
            for (int f = 0; f < image.boxes().length; f += 2) {
                double[] box = image.boxes()[f];
                boxes.add(new double[] {box[0], box[1], box[2], box[3], score});
                score -= 0.001;
            }
            found += boxes.size();
            detections.put(image.image(), boxes);
        }
        WiderFaceEvaluation.Result result = evaluate(text, detections);
        for (Level level : Level.values()) {
            // Every face counts at every level. Every detection is right, so AP is the share of faces
            // found: about half (faces 1, 3, 5, ... of each image, so a little more where a count is odd).
            assertThat(result.level(level).faces()).isEqualTo(text.faces());
            assertThat(result.level(level).averagePrecision()).as(level.label())
                    .isCloseTo((double) found / text.faces(), within(1e-9))
                    .isCloseTo(0.5, within(0.03));
        }
    }

    private WiderFaceEvaluation.Result evaluate(GroundTruth gt, Map<String, List<double[]>> detections) throws Exception {
        Path dir = EvalTestFiles.writePredictions(Files.createTempDirectory(tmp, "pred"), detections);
        return WiderFaceEvaluation.evaluate(gt, Predictions.read(dir, gt), 0.5);
    }

    /** Every even-numbered face found exactly, scores falling; one box beside every third face, a miss. */
    private static Map<String, List<double[]>> everySecondFaceAndSomeMisses(GroundTruth gt) {
        Map<String, List<double[]>> detections = new LinkedHashMap<>();
        double score = 0.99;
        for (GroundTruthImage image : gt.images()) {
            List<double[]> found = new ArrayList<>();
            for (int f = 0; f < image.boxes().length; f++) {
                double[] box = image.boxes()[f];
                if (f % 2 == 0) {
                    found.add(new double[] {box[0], box[1], box[2], box[3], score});
                }
                if (f % 3 == 0) {
                    found.add(new double[] {box[0] + 2 * box[2], box[1] + 416, box[2], box[3], score - 0.0005});
                }
                score -= 0.0009;
            }
            detections.put(image.image(), found);
        }
        return detections;
    }
}
