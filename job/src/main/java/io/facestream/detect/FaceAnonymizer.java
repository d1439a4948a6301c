package io.facestream.detect;

import java.util.List;
import java.util.Locale;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.MatOfInt;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Covers every face of an image, for images that may be stored or shared: each face's box, grown by
 * a margin so that hair, ears and chin go too, is blurred, pixelated or filled, and the image is
 * encoded anew at its size. Encoding anew is what strips the metadata: OpenCV's encoders write the
 * pixels and nothing else (no EXIF, so no GPS position and no thumbnail holding the uncovered face),
 * and the decoder has already turned the pixels upright by their EXIF orientation.
 *
 * <p>Blurring and pixelating scale with the face, so that a large face is as unrecognisable as a
 * small one: the blur's standard deviation is a quarter of the grown box's longer side, and a
 * pixelated face is at most {@value #PIXELATED_BLOCKS} blocks across.
 */
public final class FaceAnonymizer {

    /** How a face is covered. */
    public enum Style {
        /** A strong Gaussian blur of the grown box. */
        BLUR,
        /** The grown box in coarse blocks, each its mean colour. */
        PIXELATE,
        /** The grown box painted black. */
        FILL;

        public static Style of(String name) {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** The longer side of a pixelated box is cut into this many blocks. */
    static final int PIXELATED_BLOCKS = 8;

    private final Style style;
    private final double margin;

    /** @param margin how far each side of a face's box moves out, as a share of the box's width (sides) or height (top, bottom) */
    public FaceAnonymizer(Style style, double margin) {
        if (!(margin >= 0 && margin <= 2)) {
            throw new IllegalArgumentException("margin " + margin + ": must be between 0 and 2 (a share of the face's box)");
        }
        this.style = style;
        this.margin = margin;
    }

    /** The box {@code face} covers in an image of this size: grown by the margin, within the image. */
    public Rect coveredBox(DetectedFace face, int width, int height) {
        double growX = (face.x2() - face.x1()) * margin;
        double growY = (face.y2() - face.y1()) * margin;
        int x1 = (int) Math.max(0, Math.floor(face.x1() - growX));
        int y1 = (int) Math.max(0, Math.floor(face.y1() - growY));
        int x2 = (int) Math.min(width, Math.ceil(face.x2() + growX) + 1);
        int y2 = (int) Math.min(height, Math.ceil(face.y2() + growY) + 1);
        return new Rect(x1, y1, Math.max(0, x2 - x1), Math.max(0, y2 - y1));
    }

    /** Covers each face in {@code bgr}, in place; pixels outside the covered boxes stay as they are. */
    public void cover(Mat bgr, List<DetectedFace> faces) {
        for (DetectedFace face : faces) {
            Rect box = coveredBox(face, bgr.cols(), bgr.rows());
            if (box.width == 0 || box.height == 0) {
                continue;
            }
            Mat region = bgr.submat(box);
            try {
                switch (style) {
                    case FILL -> region.setTo(new Scalar(0, 0, 0));
                    case BLUR -> blur(region);
                    case PIXELATE -> pixelate(region);
                }
            } finally {
                region.release();
            }
        }
    }

    private static void blur(Mat region) {
        double sigma = Math.max(region.cols(), region.rows()) / 4.0;
        // A Gaussian this wide costs time in proportion to sigma at every pixel (over 30 ms for one 300 px face);
        // the same blur on the region scaled down to at most BLUR_SIDE pixels across, scaled back up, costs about 1 ms
        // and looks the same: a blur of a quarter of the face's size leaves nothing finer than the smaller image holds.
        double scale = Math.min(1.0, (double) BLUR_SIDE / Math.max(region.cols(), region.rows()));
        Mat small = new Mat();
        Mat blurred = new Mat();
        Mat large = new Mat();
        try {
            Size smallSize = new Size(Math.max(1, Math.round(region.cols() * scale)), Math.max(1, Math.round(region.rows() * scale)));
            Imgproc.resize(region, small, smallSize, 0, 0, Imgproc.INTER_AREA);
            // Reflected borders inside the region only: no pixel outside the covered box is read or written.
            Imgproc.GaussianBlur(small, blurred, new Size(0, 0), sigma * scale, sigma * scale, org.opencv.core.Core.BORDER_REFLECT);
            Imgproc.resize(blurred, large, region.size(), 0, 0, Imgproc.INTER_LINEAR);
            large.copyTo(region);
        } finally {
            small.release();
            blurred.release();
            large.release();
        }
    }

    /** The longer side, in pixels, a region is blurred at. */
    static final int BLUR_SIDE = 32;

    private static void pixelate(Mat region) {
        int longer = Math.max(region.cols(), region.rows());
        int blocksX = Math.max(1, Math.round((float) PIXELATED_BLOCKS * region.cols() / longer));
        int blocksY = Math.max(1, Math.round((float) PIXELATED_BLOCKS * region.rows() / longer));
        Mat small = new Mat();
        Mat large = new Mat();
        try {
            Imgproc.resize(region, small, new Size(blocksX, blocksY), 0, 0, Imgproc.INTER_AREA);
            Imgproc.resize(small, large, region.size(), 0, 0, Imgproc.INTER_NEAREST);
            large.copyTo(region);
        } finally {
            small.release();
            large.release();
        }
    }

    /** {@code bgr} as a JPEG of this quality (1-100), with no metadata. */
    public static byte[] jpeg(Mat bgr, int quality) {
        return encode(".jpg", bgr, new MatOfInt(Imgcodecs.IMWRITE_JPEG_QUALITY, quality));
    }

    /** {@code bgr} as a lossless PNG, with no metadata. */
    public static byte[] png(Mat bgr) {
        return encode(".png", bgr, new MatOfInt());
    }

    private static byte[] encode(String extension, Mat bgr, MatOfInt parameters) {
        MatOfByte encoded = new MatOfByte();
        try {
            if (!Imgcodecs.imencode(extension, bgr, encoded, parameters)) {
                throw new IllegalStateException("OpenCV could not encode a " + bgr.cols() + "x" + bgr.rows() + " image as " + extension);
            }
            return encoded.toArray();
        } finally {
            encoded.release();
            parameters.release();
        }
    }
}
