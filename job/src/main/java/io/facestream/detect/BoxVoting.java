package io.facestream.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Merges detections of the same faces from several passes (scales or flips): each cluster of
 * boxes overlapping the best remaining one becomes one face whose box and landmarks are the
 * score-weighted average of the cluster and whose score is its best. This is the "bbox voting"
 * of RetinaFace's multi-scale WIDER FACE evaluation; unlike plain NMS it averages out each
 * pass's localisation error instead of keeping one pass's box.
 */
public final class BoxVoting {

    /** The clustering IoU of the reference's multi-scale evaluation; it also scored best here. */
    public static final float DEFAULT_IOU = 0.3f;

    private BoxVoting() {}

    public static List<DetectedFace> merge(List<DetectedFace> faces, float iouThreshold) {
        List<DetectedFace> remaining = new ArrayList<>(faces);
        remaining.sort(Comparator.comparingDouble(DetectedFace::score).reversed());
        List<DetectedFace> merged = new ArrayList<>();
        while (!remaining.isEmpty()) {
            DetectedFace best = remaining.get(0);
            List<DetectedFace> cluster = new ArrayList<>();
            List<DetectedFace> rest = new ArrayList<>();
            for (DetectedFace face : remaining) {
                (best.iou(face) >= iouThreshold ? cluster : rest).add(face);
            }
            merged.add(average(cluster, best.score()));
            remaining = rest;
        }
        return merged;
    }

    private static DetectedFace average(List<DetectedFace> cluster, float score) {
        if (cluster.size() == 1) {
            return cluster.get(0);
        }
        double weight = 0;
        double x1 = 0;
        double y1 = 0;
        double x2 = 0;
        double y2 = 0;
        double[] landmarks = new double[2 * DetectedFace.LANDMARK_COUNT];
        for (DetectedFace face : cluster) {
            double w = face.score();
            weight += w;
            x1 += w * face.x1();
            y1 += w * face.y1();
            x2 += w * face.x2();
            y2 += w * face.y2();
            for (int i = 0; i < landmarks.length; i++) {
                landmarks[i] += w * face.landmarks()[i];
            }
        }
        float[] averaged = new float[landmarks.length];
        for (int i = 0; i < landmarks.length; i++) {
            averaged[i] = (float) (landmarks[i] / weight);
        }
        return new DetectedFace(score, (float) (x1 / weight), (float) (y1 / weight), (float) (x2 / weight),
                (float) (y2 / weight), averaged);
    }
}
