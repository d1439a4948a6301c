package io.facestream.detect;

import org.opencv.core.Mat;

/** A decoded image: 8-bit BGR pixels, EXIF orientation applied. Owns native memory: close it. */
public final class DecodedImage implements AutoCloseable {

    private final Mat bgr;

    public DecodedImage(Mat bgr) {
        this.bgr = bgr;
    }

    public Mat bgr() {
        return bgr;
    }

    public int width() {
        return bgr.cols();
    }

    public int height() {
        return bgr.rows();
    }

    @Override
    public void close() {
        bgr.release();
    }
}
