package io.facestream.output;

import io.facestream.detect.DecodedImage;
import io.facestream.detect.DetectedFace;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.opencv.core.Mat;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Draws boxes, scores and landmarks on an image and writes it as PNG. */
public final class Annotator {

    private static final Scalar BOX = new Scalar(0, 255, 0);
    /** Left eye, right eye, nose, left and right mouth corner (BGR). */
    private static final Scalar[] LANDMARK_COLOURS = {
        new Scalar(255, 0, 0), new Scalar(0, 0, 255), new Scalar(0, 255, 255), new Scalar(255, 0, 255), new Scalar(255, 255, 0)
    };

    private Annotator() {}

    /** The annotated picture's file name for an image name that may contain folders ({@code a/b.jpg}: {@code a_b.jpg.annotated.png}). */
    public static String fileName(String imageName) {
        return imageName.replace('/', '_').replace('\\', '_') + ".annotated.png";
    }

    public static void writePng(DecodedImage image, List<DetectedFace> faces, Path file) {
        Mat canvas = image.bgr().clone();
        try {
            int thickness = Math.max(1, Math.round(Math.max(canvas.cols(), canvas.rows()) / 400f));
            for (DetectedFace face : faces) {
                Imgproc.rectangle(canvas, new Point(face.x1(), face.y1()), new Point(face.x2(), face.y2()), BOX, thickness);
                Imgproc.putText(canvas, String.format(Locale.ROOT, "%.3f", face.score()),
                        new Point(face.x1(), Math.max(12, face.y1() - 4)), Imgproc.FONT_HERSHEY_SIMPLEX,
                        0.4 * thickness, BOX, thickness);
                for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
                    Imgproc.circle(canvas, new Point(face.landmarkX(p), face.landmarkY(p)), 1 + thickness,
                            LANDMARK_COLOURS[p], -1);
                }
            }
            if (!Imgcodecs.imwrite(file.toString(), canvas)) {
                throw new IllegalStateException("could not write " + file);
            }
        } finally {
            canvas.release();
        }
    }
}
