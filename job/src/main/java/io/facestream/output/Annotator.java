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

/** Draws boxes, scores and landmarks on an image and writes it as JPEG or PNG. */
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

    private Annotator() {}

    /**
     * The annotated picture's file name for an image name that may contain folders
     * ({@code a/b.jpg}: {@code a_b.jpg.annotated.png} or {@code a_b.jpg.annotated.jpg}).
     */
    public static String fileName(String imageName, Format format) {
        return imageName.replace('/', '_').replace('\\', '_') + ".annotated" + format.extension;
    }

    public static void write(DecodedImage image, List<DetectedFace> faces, Path file, Format format) {
        Mat canvas = image.bgr().clone();
        try {
            int thickness = thickness(canvas.cols(), canvas.rows());
            for (DetectedFace face : faces) {
                Imgproc.rectangle(canvas, new Point(face.x1(), face.y1()), new Point(face.x2(), face.y2()), BOX, thickness);
                Rect label = labelBox(face, canvas.cols(), canvas.rows());
                int[] baseline = new int[1];
                Imgproc.getTextSize(label(face), FONT, fontScale(thickness), thickness, baseline);
                Imgproc.putText(canvas, label(face), new Point(label.x, label.y + label.height - baseline[0]), FONT,
                        fontScale(thickness), BOX, thickness);
                for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
                    Imgproc.circle(canvas, new Point(face.landmarkX(p), face.landmarkY(p)), 1 + thickness,
                            LANDMARK_COLOURS[p], -1);
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
