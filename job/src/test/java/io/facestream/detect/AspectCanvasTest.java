package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * The aspect-preserving canvas (fit:640: a 16:9 frame fills 640x360, padded to 640x384) finds the
 * faces a 640x640 letterbox finds, at a third less input: the padding below the image changes
 * nothing the model sees of the image area but its lowest rows.
 */
@Timeout(60)
class AspectCanvasTest {

    @BeforeAll
    static void loadOpenCv() {
        Natives.loadOpenCv();
    }

    @Test
    void aFullHdFrameGivesTheLetterboxFacesOnASmallerTensor() throws Exception {
        // Faces across the frame, one of them touching its bottom edge.
        Mat frame = new Mat(1080, 1920, CvType.CV_8UC3, new Scalar(90, 110, 130));
        place(frame, "Chris.jpeg", new Rect(60, 80, 450, 596));
        place(frame, "Luciano.png", new Rect(700, 300, 420, 420));
        place(frame, "montage_4faces.png", new Rect(1250, 580, 640, 500));

        SizePolicy fit = SizePolicy.parse("fit:640");
        assertThat(fit.plans(1920, 1080)).singleElement().satisfies(plan -> {
            assertThat(plan.tensorWidth()).isEqualTo(640);
            assertThat(plan.tensorHeight()).isEqualTo(384);
        });

        byte[] jpeg = TestImages.encode(".jpg", frame);
        List<DetectedFace> letterboxed = detect(jpeg, "letterbox:640");
        List<DetectedFace> fitted = detect(jpeg, "fit:640");

        // Chris, Luciano and at least three of the montage's four, which reaches down to the bottom edge.
        assertThat(letterboxed).hasSizeGreaterThanOrEqualTo(5);
        assertThat(letterboxed).anySatisfy(face -> assertThat(face.y2()).isGreaterThan(900f));
        assertThat(fitted).hasSameSizeAs(letterboxed);
        for (DetectedFace face : letterboxed) {
            DetectedFace twin = fitted.stream().max((a, b) -> Float.compare(a.iou(face), b.iou(face))).orElseThrow();
            assertThat(twin.iou(face)).as("IoU with the letterbox face at %s", face).isGreaterThan(0.9f);
            assertThat(Math.abs(twin.score() - face.score())).as("score of %s", face).isLessThan(0.05f);
            for (int i = 0; i < 5; i++) {
                assertThat(Math.hypot(twin.landmarkX(i) - face.landmarkX(i), twin.landmarkY(i) - face.landmarkY(i)))
                        .as("landmark %d of %s", i, face).isLessThan(4.0);
            }
        }
    }

    private static List<DetectedFace> detect(byte[] jpeg, String size) throws Exception {
        DetectorSettings settings = DetectorSettings.builder().size(size).build();
        try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
            return session.detect(jpeg, "image/jpeg").faces();
        }
    }

    private static void place(Mat frame, String photo, Rect where) throws Exception {
        Mat resized = new Mat();
        Imgproc.resize(TestImages.decode(photo), resized, new Size(where.width, where.height));
        resized.copyTo(frame.submat(where));
    }
}
