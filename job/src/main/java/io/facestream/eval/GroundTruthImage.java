package io.facestream.eval;

import java.util.EnumMap;
import java.util.Map;

/**
 * One image's ground truth: its faces' boxes and, per level, which faces count there.
 *
 * @param image the image's path as the ground truth names it, e.g. {@code 0--Parade/0_Parade_Parade_0_125.jpg}
 * @param boxes one {@code {x, y, w, h}} per face, in the ground truth's order
 * @param keep per level, one flag per face: {@code true} where the face is in the level's keep-list;
 *     a face that is not is ignored at that level (detecting it neither helps nor hurts)
 */
public record GroundTruthImage(String image, double[][] boxes, Map<Level, boolean[]> keep) {

    public GroundTruthImage {
        keep = new EnumMap<>(keep);
        for (Level level : Level.values()) {
            boolean[] flags = keep.get(level);
            if (flags == null || flags.length != boxes.length) {
                throw new IllegalArgumentException(image + ": " + level.label() + " keep flags for "
                        + (flags == null ? "no" : flags.length) + " face(s), the image has " + boxes.length);
            }
        }
    }

    /** The image's path without its extension, e.g. {@code 0--Parade/0_Parade_Parade_0_125}: how keep-lists and predictions name it. */
    public String key() {
        return WiderNames.key(image);
    }

    /** Faces in the level's keep-list. */
    public int keptFaces(Level level) {
        int n = 0;
        for (boolean kept : keep.get(level)) {
            if (kept) {
                n++;
            }
        }
        return n;
    }
}
