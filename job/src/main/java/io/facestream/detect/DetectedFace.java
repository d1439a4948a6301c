package io.facestream.detect;

import java.util.Arrays;

/**
 * One face found by the detector: score, box corners and the five landmarks (left eye, right eye,
 * nose, left mouth corner, right mouth corner, as seen in the image), in pixel coordinates.
 *
 * @param landmarks ten values: x0, y0, x1, y1, ... x4, y4
 */
public record DetectedFace(float score, float x1, float y1, float x2, float y2, float[] landmarks) {

    public static final int LANDMARK_COUNT = 5;

    public DetectedFace {
        if (landmarks.length != 2 * LANDMARK_COUNT) {
            throw new IllegalArgumentException("expected 10 landmark coordinates, got " + landmarks.length);
        }
    }

    public float landmarkX(int index) {
        return landmarks[2 * index];
    }

    public float landmarkY(int index) {
        return landmarks[2 * index + 1];
    }

    /** Box area in the +1-pixel convention of the reference implementations. */
    public float pixelArea() {
        return (x2 - x1 + 1) * (y2 - y1 + 1);
    }

    /** Intersection over union in the +1-pixel convention of the reference implementations. */
    public float iou(DetectedFace other) {
        float w = Math.max(0, Math.min(x2, other.x2) - Math.max(x1, other.x1) + 1);
        float h = Math.max(0, Math.min(y2, other.y2) - Math.max(y1, other.y1) + 1);
        float intersection = w * h;
        return intersection / (pixelArea() + other.pixelArea() - intersection);
    }

    /** Clips the box (not the landmarks) to [0, maxX] x [0, maxY]. */
    public DetectedFace clipBox(float maxX, float maxY) {
        return new DetectedFace(score, clamp(x1, maxX), clamp(y1, maxY), clamp(x2, maxX), clamp(y2, maxY), landmarks);
    }

    /** Divides every coordinate by {@code factor}: maps model-input pixels back to image pixels. */
    public DetectedFace unscale(float factor) {
        float[] mapped = new float[landmarks.length];
        for (int i = 0; i < landmarks.length; i++) {
            mapped[i] = landmarks[i] / factor;
        }
        return new DetectedFace(score, x1 / factor, y1 / factor, x2 / factor, y2 / factor, mapped);
    }

    private static float clamp(float value, float max) {
        return Math.max(0, Math.min(value, max));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DetectedFace f && score == f.score && x1 == f.x1 && y1 == f.y1 && x2 == f.x2
                && y2 == f.y2 && Arrays.equals(landmarks, f.landmarks);
    }

    @Override
    public int hashCode() {
        return 31 * Float.hashCode(score) + Arrays.hashCode(landmarks);
    }

    @Override
    public String toString() {
        return String.format("Face[score=%.4f box=(%.1f,%.1f,%.1f,%.1f)]", score, x1, y1, x2, y2);
    }
}
