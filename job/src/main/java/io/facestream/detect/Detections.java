package io.facestream.detect;

import java.util.List;

/** What the model found in one prepared image, with the time spent in each stage of the translator. */
public record Detections(List<DetectedFace> faces, long preprocessNanos, long inferenceNanos, long postprocessNanos) {}
