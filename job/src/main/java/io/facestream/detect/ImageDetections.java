package io.facestream.detect;

import java.util.List;

/**
 * The faces found in one encoded image, its decoded size, the time spent per stage, and the images
 * made from it ({@link FaceImages#NONE} unless the session makes them).
 */
public record ImageDetections(int width, int height, List<DetectedFace> faces, long decodeNanos,
                              long preprocessNanos, long inferenceNanos, long postprocessNanos, FaceImages images) {

    public ImageDetections(int width, int height, List<DetectedFace> faces, long decodeNanos, long preprocessNanos,
                           long inferenceNanos, long postprocessNanos) {
        this(width, height, faces, decodeNanos, preprocessNanos, inferenceNanos, postprocessNanos, FaceImages.NONE);
    }
}
