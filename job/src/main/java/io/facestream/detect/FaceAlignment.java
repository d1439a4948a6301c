package io.facestream.detect;

/**
 * Where a face's landmarks put it in an aligned crop: the similarity from image pixels to crop
 * pixels, and how far the mapped landmarks stay from the template's points, in crop pixels. The
 * distances grow with how far the face is turned from frontal (and with landmark error), since a
 * similarity cannot undo perspective.
 */
public record FaceAlignment(SimilarityTransform imageToCrop, double rmsErrorPx, double maxErrorPx) {

    /** The 2x3 image-to-crop matrix, row-major. */
    public double[] matrix() {
        return imageToCrop.toMatrix();
    }
}
