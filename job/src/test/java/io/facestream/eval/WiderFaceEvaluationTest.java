package io.facestream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WiderFaceEvaluationTest {

    @Test
    void iouCountsTheLastPixelInBothDirections() {
        double[] box = {0, 0, 9, 9}; // 10 x 10 pixels
        assertThat(WiderFaceEvaluation.iou(box, box)).isEqualTo(1.0);
        // Overlap of columns 5..9 (5 pixels) by 10 rows: 50 / (100 + 100 - 50).
        assertThat(WiderFaceEvaluation.iou(box, new double[] {5, 0, 14, 9})).isCloseTo(1.0 / 3, within(1e-12));
        // Sharing one column still overlaps by one pixel: 10 / (100 + 100 - 10).
        assertThat(WiderFaceEvaluation.iou(box, new double[] {9, 0, 18, 9})).isCloseTo(10.0 / 190, within(1e-12));
        assertThat(WiderFaceEvaluation.iou(box, new double[] {10, 0, 19, 9})).isZero();
        assertThat(WiderFaceEvaluation.iou(box, new double[] {0, 12, 9, 20})).isZero();
        // A box of zero width and height is one pixel.
        assertThat(WiderFaceEvaluation.iou(new double[] {5, 5, 5, 5}, new double[] {5, 5, 5, 5})).isEqualTo(1.0);
        assertThat(WiderFaceEvaluation.iou(new double[] {5, 5, 5, 5}, box)).isCloseTo(0.01, within(1e-12));
    }

    @Test
    void cornersAddWidthAndHeightWithoutSubtractingOne() {
        assertThat(WiderFaceEvaluation.corners(new double[] {10, 20, 30, 40, 0.9})).containsExactly(10, 20, 40, 60);
    }

    @Test
    void vocApOnAHandComputedCurve() {
        // mrec = [0, .2, .4, .4, .8, 1], mpre = [0, 1, .5, .8, .4, 0] -> made non-increasing from the
        // right [1, 1, .8, .8, .4, 0]; steps: .2 * 1 + .2 * .8 + .4 * .4 + .2 * 0 = .52.
        double ap = WiderFaceEvaluation.vocAp(new double[] {0.2, 0.4, 0.4, 0.8}, new double[] {1.0, 0.5, 0.8, 0.4});
        assertThat(ap).isCloseTo(0.52, within(1e-12));
        // A perfect curve and an empty one.
        assertThat(WiderFaceEvaluation.vocAp(new double[] {0.5, 1.0}, new double[] {1.0, 1.0})).isCloseTo(1.0, within(1e-12));
        assertThat(WiderFaceEvaluation.vocAp(new double[] {0, 0}, new double[] {0, 0})).isZero();
    }

    @Test
    void aDetectionOnAnIgnoredFaceCountsNeitherWayAndRepeatedHitsRecallOnce() {
        double[][] gt = {{0, 0, 10, 10}, {100, 100, 110, 110}};
        boolean[] keep = {true, false};
        double[][] pred = {
            {0, 0, 10, 10},       // the kept face
            {100, 100, 110, 110}, // the ignored face
            {1, 1, 10, 10},       // the kept face again
            {50, 50, 60, 60},     // nothing
        };
        WiderFaceEvaluation.ImageMatch match = WiderFaceEvaluation.matchImage(pred, gt, keep, 0.5);
        assertThat(match.proposal()).containsExactly(1, -1, 1, 1);
        assertThat(match.predRecall()).containsExactly(1, 1, 1, 1);
    }

    @Test
    void aDetectionGoesToTheFaceItOverlapsMostAndTheFirstOnATie() {
        double[][] gt = {{0, 0, 9, 9}, {0, 0, 9, 9}, {2, 0, 11, 9}};
        double[][] pred = {{2, 0, 11, 9}, {0, 0, 9, 9}, {0, 0, 9, 9}};
        WiderFaceEvaluation.ImageMatch match = WiderFaceEvaluation.matchImage(pred, gt, new boolean[] {true, true, true}, 0.5);
        // The second and third both go to face 0; face 1, its twin, is never recalled.
        assertThat(match.predRecall()).containsExactly(1, 2, 2);
        // Below the IoU threshold nothing is recalled.
        WiderFaceEvaluation.ImageMatch none = WiderFaceEvaluation.matchImage(pred, gt, new boolean[] {true, true, true}, 1.01);
        assertThat(none.predRecall()).containsOnly(0);
    }

    @Test
    void imagePrInfoTakesTheLastDetectionAtOrAboveEachThreshold() {
        double[] scores = {1.0, 0.5, 0.0005};
        int[] proposal = {1, -1, 1};
        int[] predRecall = {1, 1, 2};
        long[][] info = WiderFaceEvaluation.imagePrInfo(scores, proposal, predRecall);
        assertThat(info).hasNumberOfRows(1000);
        assertThat(info[0]).containsExactly(1, 1);    // threshold 0.999
        assertThat(info[498]).containsExactly(1, 1);  // 0.501
        assertThat(info[499]).containsExactly(1, 1);  // 0.5: the ignored detection is reached, not counted
        assertThat(info[998]).containsExactly(1, 1);  // 0.001
        assertThat(info[999]).containsExactly(2, 2);  // 0
        long[][] below = WiderFaceEvaluation.imagePrInfo(new double[] {0.4}, new int[] {1}, new int[] {1});
        assertThat(below[0]).containsExactly(0, 0);
        assertThat(below[599]).containsExactly(1, 1); // threshold 0.4
    }

    @Test
    void scoresAreNormalisedOverTheRunAndAConstantScoreCountsAsTheTop() {
        assertThat(WiderFaceEvaluation.normalise(0.3, 0.2, 0.6)).isCloseTo(0.25, within(1e-12));
        assertThat(WiderFaceEvaluation.normalise(0.6, 0.2, 0.6)).isEqualTo(1.0);
        assertThat(WiderFaceEvaluation.normalise(0.7, 0.7, 0.7)).isEqualTo(1.0);
    }

    @Test
    void handComputedApWithAFalsePositive() {
        // Two kept faces; detections: a hit (0.9), a miss (0.8), a hit (0.1). Normalised scores 1,
        // 0.875, 0. Thresholds 0.999..0.876: p 1, r .5; 0.875..0.001: p .5, r .5; 0: p 2/3, r 1.
        // AP = .5 * 1 + .5 * 2/3 = 5/6.
        double[][] faces = {{0, 0, 10, 10}, {100, 0, 10, 10}};
        GroundTruth gt = groundTruth(Map.of("e/a.jpg", faces));
        Predictions pred = predictions(Map.of("e/a.jpg", new double[][] {
            {0, 0, 10, 10, 0.9}, {50, 50, 10, 10, 0.8}, {100, 0, 10, 10, 0.1}}));
        WiderFaceEvaluation.Result result = WiderFaceEvaluation.evaluate(gt, pred, 0.5);
        for (Level level : Level.values()) {
            assertThat(result.level(level).averagePrecision()).as(level.label()).isCloseTo(5.0 / 6, within(1e-12));
            assertThat(result.level(level).faces()).isEqualTo(2);
            assertThat(result.level(level).images()).isEqualTo(1);
        }
    }

    @Test
    void findingEveryOtherFaceOfASetWhereAllCountGivesHalf() {
        Map<String, double[][]> faces = new HashMap<>();
        Map<String, double[][]> detections = new HashMap<>();
        double score = 1.0;
        for (int i = 0; i < 20; i++) {
            double[][] boxes = new double[10][];
            List<double[]> found = new ArrayList<>();
            for (int f = 0; f < boxes.length; f++) {
                boxes[f] = new double[] {30 * f, 40 * (i % 3), 20, 25};
                if (f % 2 == 0) {
                    found.add(new double[] {30 * f, 40 * (i % 3), 20, 25, score});
                    score -= 0.004;
                }
            }
            faces.put("e/" + i + ".jpg", boxes);
            detections.put("e/" + i + ".jpg", found.toArray(new double[0][]));
        }
        WiderFaceEvaluation.Result result = WiderFaceEvaluation.evaluate(groundTruth(faces), predictions(detections), 0.5);
        for (Level level : Level.values()) {
            assertThat(result.level(level).averagePrecision()).as(level.label()).isCloseTo(0.5, within(1e-9));
            assertThat(result.level(level).faces()).isEqualTo(200);
        }
    }

    @Test
    void imagesWithoutDetectionsStillCountTheirFaces() {
        double[][] face = {{0, 0, 10, 10}};
        GroundTruth gt = groundTruth(Map.of("e/a.jpg", face, "e/b.jpg", face));
        Predictions pred = predictions(Map.of("e/a.jpg", new double[][] {{0, 0, 10, 10, 0.9}}));
        WiderFaceEvaluation.Result result = WiderFaceEvaluation.evaluate(gt, pred, 0.5);
        assertThat(result.level(Level.HARD).averagePrecision()).isCloseTo(0.5, within(1e-12));
        assertThat(result.level(Level.HARD).faces()).isEqualTo(2);
    }

    @Test
    void aLevelWithoutKeptFacesHasNoAp() {
        boolean[] none = {false};
        Map<Level, boolean[]> keep = new EnumMap<>(Level.class);
        keep.put(Level.EASY, none);
        keep.put(Level.MEDIUM, none);
        keep.put(Level.HARD, new boolean[] {true});
        GroundTruth gt = new GroundTruth(List.of(new GroundTruthImage("e/a.jpg", new double[][] {{0, 0, 10, 10}}, keep)), "jsonl", "test");
        WiderFaceEvaluation.Result result = WiderFaceEvaluation.evaluate(gt,
                predictions(Map.of("e/a.jpg", new double[][] {{0, 0, 10, 10, 0.9}})), 0.5);
        assertThat(result.level(Level.EASY).averagePrecision()).isNaN();
        assertThat(result.level(Level.HARD).averagePrecision()).isCloseTo(1.0, within(1e-12));
    }

    @Test
    void theIouThresholdMustBeAProportion() {
        GroundTruth gt = groundTruth(Map.of("e/a.jpg", new double[][] {{0, 0, 10, 10}}));
        assertThatThrownBy(() -> WiderFaceEvaluation.evaluate(gt, predictions(Map.of()), 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("IoU threshold 0.0");
    }

    /** Every face counts at every level. */
    static GroundTruth groundTruth(Map<String, double[][]> faces) {
        List<GroundTruthImage> images = new ArrayList<>();
        faces.keySet().stream().sorted().forEach(image -> {
            boolean[] all = new boolean[faces.get(image).length];
            Arrays.fill(all, true);
            Map<Level, boolean[]> keep = new EnumMap<>(Level.class);
            for (Level level : Level.values()) {
                keep.put(level, all);
            }
            images.add(new GroundTruthImage(image, faces.get(image), keep));
        });
        return new GroundTruth(images, "jsonl", null);
    }

    static Predictions predictions(Map<String, double[][]> detections) {
        return new Predictions(detections, List.of(), detections.size(), 0);
    }
}
