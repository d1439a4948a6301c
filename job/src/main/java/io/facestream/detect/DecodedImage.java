package io.facestream.detect;

import org.opencv.core.Mat;

/**
 * A decoded image: 8-bit BGR pixels, EXIF orientation applied. A large JPEG may have been decoded
 * at a reduced resolution (libjpeg's DCT scaling, far cheaper than full decoding and resizing);
 * then {@link #toOriginal()} maps its pixels back to the original image's. Owns native memory:
 * close it.
 */
public final class DecodedImage implements AutoCloseable {

    private final Mat bgr;
    private final int reduction;
    private final int originalWidth;
    private final int originalHeight;

    public DecodedImage(Mat bgr) {
        this(bgr, 1, bgr.cols(), bgr.rows());
    }

    DecodedImage(Mat bgr, int reduction, int originalWidth, int originalHeight) {
        this.bgr = bgr;
        this.reduction = reduction;
        this.originalWidth = originalWidth;
        this.originalHeight = originalHeight;
    }

    /** Width of the original image (after EXIF orientation), whatever resolution it was decoded at. */
    public int originalWidth() {
        return originalWidth;
    }

    /** Height of the original image (after EXIF orientation). */
    public int originalHeight() {
        return originalHeight;
    }

    public Mat bgr() {
        return bgr;
    }

    /** Width of the decoded pixels. */
    public int width() {
        return bgr.cols();
    }

    /** Height of the decoded pixels. */
    public int height() {
        return bgr.rows();
    }

    /** Factor from decoded pixels to the original image's: 1, or 2, 4 or 8 for a reduced JPEG decode. */
    public int toOriginal() {
        return reduction;
    }

    @Override
    public void close() {
        bgr.release();
    }
}
