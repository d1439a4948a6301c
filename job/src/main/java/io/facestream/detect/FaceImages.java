package io.facestream.detect;

import java.util.List;

/**
 * The images made from one detected image ({@link FaceImagesSettings}): an aligned crop of each face
 * that scored enough, and the image with every face covered.
 *
 * @param crops        the crops, in the order of the faces they are of
 * @param cropsSkipped faces scoring enough that got no crop: landmarks that fit no alignment (all in one point, or not finite), or a crop over the byte limit
 * @param anonymized   the image with its faces covered; null when not asked for
 * @param nanos        time spent making them
 */
public record FaceImages(List<Crop> crops, int cropsSkipped, Anonymized anonymized, long nanos) {

    public static final FaceImages NONE = new FaceImages(List.of(), 0, null, 0);

    /** The crop of the face at {@code faceIndex} in the detections' faces. */
    public record Crop(int faceIndex, AlignedFace face) {}

    /**
     * An image encoded anew at its original size, upright, with no metadata, every face covered.
     *
     * @param covered the faces covered: those of the results, and those below the score threshold but at or above the cover threshold
     */
    public record Anonymized(byte[] bytes, FaceImagesOptions.Format format, int covered) {}
}
