package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class BoxVotingTest {

    private static DetectedFace face(float score, float x1, float y1, float x2, float y2, float landmark) {
        float[] landmarks = new float[10];
        java.util.Arrays.fill(landmarks, landmark);
        return new DetectedFace(score, x1, y1, x2, y2, landmarks);
    }

    @Test
    void overlappingDetectionsBecomeTheirScoreWeightedAverageWithTheBestScore() {
        DetectedFace a = face(0.9f, 0, 0, 100, 100, 50);
        DetectedFace b = face(0.6f, 10, 0, 110, 100, 60);   // IoU with a: 91*101 / (111*101) = 0.82
        DetectedFace elsewhere = face(0.8f, 300, 300, 350, 350, 320);
        List<DetectedFace> merged = BoxVoting.merge(List.of(b, elsewhere, a), 0.3f);
        assertThat(merged).hasSize(2);
        DetectedFace voted = merged.get(0);
        assertThat(voted.score()).isEqualTo(0.9f);
        // x1 = (0.9 * 0 + 0.6 * 10) / 1.5 = 4; x2 = (0.9 * 100 + 0.6 * 110) / 1.5 = 104
        assertThat(voted.x1()).isCloseTo(4f, within(1e-4f));
        assertThat(voted.x2()).isCloseTo(104f, within(1e-4f));
        assertThat(voted.landmarkX(3)).isCloseTo(54f, within(1e-4f));
        assertThat(merged.get(1)).isEqualTo(elsewhere);
    }

    @Test
    void facesBelowTheClusteringIouStaySeparate() {
        DetectedFace a = face(0.9f, 0, 0, 99, 99, 0);
        DetectedFace b = face(0.7f, 80, 0, 179, 99, 0); // IoU 20/180
        assertThat(BoxVoting.merge(List.of(a, b), 0.3f)).containsExactly(a, b);
    }
}
