package io.facestream.detect;

import java.util.List;

/**
 * The faces the model found in one decoded image, in its pixels (one pass, or the passes of a
 * multi-size policy merged), with the time spent in each stage of the translator.
 *
 * @param faces the faces at or above the score threshold, highest score first
 * @param faint faces below the score threshold but at or above a lower cover threshold: found only
 *              where a session covers faces ({@link FaceImagesSettings#anonymize()}), else empty
 */
public record ModelFaces(List<DetectedFace> faces, List<DetectedFace> faint, long preprocessNanos, long inferenceNanos,
                         long postprocessNanos) {

    public ModelFaces(List<DetectedFace> faces, long preprocessNanos, long inferenceNanos, long postprocessNanos) {
        this(faces, List.of(), preprocessNanos, inferenceNanos, postprocessNanos);
    }
}
