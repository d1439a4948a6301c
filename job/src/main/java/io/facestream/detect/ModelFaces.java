package io.facestream.detect;

import java.util.List;

/**
 * The faces the model found in one decoded image, in its pixels (one pass, or the passes of a
 * multi-size policy merged), with the time spent in each stage of the translator.
 */
public record ModelFaces(List<DetectedFace> faces, long preprocessNanos, long inferenceNanos, long postprocessNanos) {}
