package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NonMaxSuppressionTest {

    private static DetectedFace face(float score, float x1, float y1, float x2, float y2) {
        return new DetectedFace(score, x1, y1, x2, y2, new float[10]);
    }

    @Test
    void iouCountsPixelsInclusively() {
        // 10x10 pixels each (0..9), overlapping in 5x10 pixels: 50 / (100 + 100 - 50).
        assertThat(face(1, 0, 0, 9, 9).iou(face(1, 5, 0, 14, 9))).isEqualTo(50f / 150f);
        assertThat(face(1, 0, 0, 9, 9).iou(face(1, 20, 20, 29, 29))).isZero();
    }

    @Test
    void keepsTheBestOfOverlappingFacesAndEveryDisjointOne() {
        DetectedFace best = face(0.9f, 0, 0, 99, 99);
        DetectedFace overlapping = face(0.8f, 10, 10, 109, 109); // IoU 0.68 with best
        DetectedFace disjoint = face(0.7f, 300, 300, 399, 399);
        DetectedFace slightlyOverlapping = face(0.6f, 70, 0, 169, 99); // IoU 30/170 = 0.18 with best
        List<DetectedFace> kept = NonMaxSuppression.apply(List.of(disjoint, overlapping, slightlyOverlapping, best), 0.4f);
        assertThat(kept).containsExactly(best, disjoint, slightlyOverlapping);
    }

    @Test
    void aFaceSuppressedByALowerOneIsNotRevived() {
        // b is suppressed by a; c overlaps b but not a, so c survives.
        DetectedFace a = face(0.9f, 0, 0, 99, 99);
        DetectedFace b = face(0.8f, 30, 0, 129, 99);
        DetectedFace c = face(0.7f, 110, 0, 209, 99);
        assertThat(NonMaxSuppression.apply(List.of(a, b, c), 0.4f)).containsExactly(a, c);
    }

    @Test
    void thresholdIsStrict() {
        DetectedFace a = face(0.9f, 0, 0, 9, 9);
        DetectedFace b = face(0.8f, 5, 0, 14, 9); // IoU exactly 1/3
        assertThat(NonMaxSuppression.apply(List.of(a, b), 1f / 3f)).containsExactly(a, b);
        assertThat(NonMaxSuppression.apply(List.of(a, b), 0.33f)).containsExactly(a);
    }
}
