package io.facestream.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Greedy non-maximum suppression, as in the RetinaFace reference code (+1-pixel areas). */
public final class NonMaxSuppression {

    private NonMaxSuppression() {}

    /**
     * Keeps the highest-scoring faces, dropping any face whose IoU with an already kept face
     * exceeds {@code iouThreshold}. Returns the kept faces, highest score first.
     */
    public static List<DetectedFace> apply(List<DetectedFace> candidates, float iouThreshold) {
        List<DetectedFace> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(DetectedFace::score).reversed());
        List<DetectedFace> kept = new ArrayList<>();
        boolean[] suppressed = new boolean[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            if (suppressed[i]) {
                continue;
            }
            DetectedFace best = sorted.get(i);
            kept.add(best);
            for (int j = i + 1; j < sorted.size(); j++) {
                if (!suppressed[j] && best.iou(sorted.get(j)) > iouThreshold) {
                    suppressed[j] = true;
                }
            }
        }
        return kept;
    }
}
