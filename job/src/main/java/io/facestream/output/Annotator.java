package io.facestream.output;

import io.facestream.detect.DecodedImage;
import io.facestream.detect.DetectedFace;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.opencv.core.Mat;
import org.opencv.core.MatOfInt;
import org.opencv.core.Point;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Draws boxes, scores, landmarks and track ids on an image and writes it as JPEG or PNG. */
public final class Annotator {

    /** The file formats of annotated pictures. */
    public enum Format {
        /** For looking at the faces: a 1080p frame takes about a seventh of a PNG's bytes and half its encoding time. */
        JPEG(".jpg", Imgcodecs.IMWRITE_JPEG_QUALITY, 90),
        /** Lossless, every pixel as drawn. */
        PNG(".png");

        private final String extension;
        /** Encoder parameters as pairs; plain numbers, since OpenCV's native library may not be loaded yet. */
        private final int[] parameters;

        Format(String extension, int... parameters) {
            this.extension = extension;
            this.parameters = parameters;
        }
    }

    private static final Scalar BOX = new Scalar(0, 255, 0);
    /** Left eye, right eye, nose, left and right mouth corner (BGR). */
    private static final Scalar[] LANDMARK_COLOURS = {
        new Scalar(255, 0, 0), new Scalar(0, 0, 255), new Scalar(0, 255, 255), new Scalar(255, 0, 255), new Scalar(255, 255, 0)
    };
    private static final int FONT = Imgproc.FONT_HERSHEY_SIMPLEX;
    /**
     * Track ids' colours (BGR), one picked by the id's hash, so that a face keeps its colour from
     * frame to frame; none is the boxes' pure green.
     */
    private static final Scalar[] TRACK_COLOURS = {
        new Scalar(0, 165, 255), new Scalar(255, 144, 30), new Scalar(0, 255, 255), new Scalar(255, 0, 255),
        new Scalar(255, 255, 0), new Scalar(80, 80, 255), new Scalar(180, 105, 255), new Scalar(255, 255, 255)
    };

    private Annotator() {}

    /**
     * The annotated picture's file name for an image name that may contain folders
     * ({@code a/b.jpg}: {@code a_b.jpg.annotated.png} or {@code a_b.jpg.annotated.jpg}).
     */
    public static String fileName(String imageName, Format format) {
        return imageName.replace('/', '_').replace('\\', '_') + ".annotated" + format.extension;
    }

    public static void write(DecodedImage image, List<DetectedFace> faces, Path file, Format format) {
        write(image, faces, null, file, format);
    }

    /**
     * As {@link #write(DecodedImage, List, Path, Format)}, with each face's track id (null: none,
     * for a face or for all) drawn below its box.
     */
    public static void write(DecodedImage image, List<DetectedFace> faces, List<String> trackIds, Path file, Format format) {
        if (trackIds != null && trackIds.size() != faces.size()) {
            throw new IllegalArgumentException(faces.size() + " faces but " + trackIds.size() + " track ids");
        }
        Mat canvas = image.bgr().clone();
        try {
            int thickness = thickness(canvas.cols(), canvas.rows());
            for (int f = 0; f < faces.size(); f++) {
                DetectedFace face = faces.get(f);
                Imgproc.rectangle(canvas, new Point(face.x1(), face.y1()), new Point(face.x2(), face.y2()), BOX, thickness);
                drawLabel(canvas, label(face), labelBox(face, canvas.cols(), canvas.rows()), BOX, thickness);
                for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
                    Imgproc.circle(canvas, new Point(face.landmarkX(p), face.landmarkY(p)), 1 + thickness,
                            LANDMARK_COLOURS[p], -1);
                }
                String trackId = trackIds == null ? null : trackIds.get(f);
                if (trackId != null) {
                    drawLabel(canvas, trackId, trackLabelBox(face, trackId, canvas.cols(), canvas.rows()), trackColour(trackId),
                            thickness);
                }
            }
            if (!Imgcodecs.imwrite(file.toString(), canvas, new MatOfInt(format.parameters))) {
                throw new IllegalStateException("could not write " + file);
            }
        } finally {
            canvas.release();
        }
    }

    /**
     * Where a face's score label goes in a picture of the given size: above the box, or just inside
     * its top edge where there is no room above it, and moved left where it would pass the right
     * edge; the rectangle covers the text from its top to the bottom of its descenders.
     */
    public static Rect labelBox(DetectedFace face, int width, int height) {
        int thickness = thickness(width, height);
        int[] baseline = new int[1];
        var text = Imgproc.getTextSize(label(face), FONT, fontScale(thickness), thickness, baseline);
        return labelBox(Math.round(face.x1()), Math.round(face.y1()), (int) Math.ceil(text.width),
                (int) Math.ceil(text.height) + baseline[0], thickness + 2, width, height);
    }

    /**
     * Where a face's track id goes in a picture of the given size: below the box, or just inside its
     * bottom edge where there is no room below it, and moved left where it would pass the right edge;
     * the rectangle covers every stroke of the text.
     */
    public static Rect trackLabelBox(DetectedFace face, String trackId, int width, int height) {
        int thickness = thickness(width, height);
        int[] baseline = new int[1];
        var text = Imgproc.getTextSize(trackId, FONT, fontScale(thickness), thickness, baseline);
        // Tall strokes ('/', '|', brackets) reach above the measured text by up to 1.6 times their thickness.
        int labelWidth = (int) Math.ceil(text.width);
        int labelHeight = (int) Math.ceil(text.height) + baseline[0] + 2 * thickness;
        int gap = thickness + 2;
        int boxY2 = Math.round(face.y2());
        int y = boxY2 + gap;
        if (y + labelHeight > height) {
            y = Math.max(0, boxY2 - gap - labelHeight);
        }
        int x = Math.min(Math.round(face.x1()), width - labelWidth);
        return new Rect(Math.max(0, x), y, labelWidth, labelHeight);
    }

    /** The colour a track id is drawn in: the same for the same id in every picture. */
    static Scalar trackColour(String trackId) {
        return TRACK_COLOURS[Math.floorMod(trackId.hashCode(), TRACK_COLOURS.length)];
    }

    private static void drawLabel(Mat canvas, String text, Rect box, Scalar colour, int thickness) {
        int[] baseline = new int[1];
        Imgproc.getTextSize(text, FONT, fontScale(thickness), thickness, baseline);
        Imgproc.putText(canvas, text, new Point(box.x, box.y + box.height - baseline[0]), FONT, fontScale(thickness), colour,
                thickness);
    }

    /** {@link #labelBox(DetectedFace, int, int)} for a label of the given size, {@code gap} pixels from the box's top edge. */
    static Rect labelBox(int boxX, int boxY, int labelWidth, int labelHeight, int gap, int width, int height) {
        int y = boxY - gap - labelHeight;
        if (y < 0) {
            y = Math.min(boxY + gap, height - labelHeight);
        }
        int x = Math.min(boxX, width - labelWidth);
        return new Rect(Math.max(0, x), Math.max(0, y), labelWidth, labelHeight);
    }

    private static String label(DetectedFace face) {
        return String.format(Locale.ROOT, "%.3f", face.score());
    }

    private static int thickness(int width, int height) {
        return Math.max(1, Math.round(Math.max(width, height) / 400f));
    }

    private static double fontScale(int thickness) {
        return 0.4 * thickness;
    }
}
