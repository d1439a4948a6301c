package io.facestream.detect;

import java.util.List;

/** The faces found in one encoded image, its decoded size, and the time spent per stage. */
public record ImageDetections(int width, int height, List<DetectedFace> faces, long decodeNanos,
                              long preprocessNanos, long inferenceNanos, long postprocessNanos) {}
