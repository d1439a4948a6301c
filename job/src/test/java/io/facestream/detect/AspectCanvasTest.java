package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
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

    /**
     * The default's evidence on many frames: photos of one to four faces at random sizes and places
     * on 1920x1080 canvases; of the faces a 640x640 letterbox finds, fit:640 finds at least 99 %
     * again with IoU 0.9 or more.
     */
    @Test
    void onFullHdFramesTheDefaultFindsTheLetterboxFaces() throws Exception {
        List<String> photos = List.of("Chris.jpeg", "Luciano.png", "astronaut.png", "camera.png", "Bryan.png", "montage_4faces.png");
        Random random = new Random(13);
        int letterboxFaces = 0;
        int foundAgain = 0;
        try (FaceDetector letterbox = FaceDetector.load(DetectorSettings.builder().size("letterbox:640").build());
                FaceDetector.Session letterboxSession = letterbox.newSession();
                FaceDetector defaults = FaceDetector.load(DetectorSettings.defaults());
                FaceDetector.Session defaultSession = defaults.newSession()) {
            for (int f = 0; f < 24; f++) {
                Mat frame = new Mat(1080, 1920, CvType.CV_8UC3, new Scalar(random.nextInt(256), random.nextInt(256), random.nextInt(256)));
                int x = random.nextInt(80);
                for (int p = 0; p < 4 && x < 1700; p++) {
                    Mat photo = TestImages.decode(photos.get(random.nextInt(photos.size())));
                    int height = 240 + random.nextInt(800);
                    int width = Math.min(1920 - x, photo.cols() * height / photo.rows());
                    place(frame, photo, new Rect(x, random.nextInt(1081 - height), width, height));
                    x += width + random.nextInt(60);
                }
                byte[] jpeg = TestImages.encode(".jpg", frame, Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
                List<DetectedFace> reference = letterboxSession.detect(jpeg, "image/jpeg").faces();
                List<DetectedFace> fitted = defaultSession.detect(jpeg, "image/jpeg").faces();
                letterboxFaces += reference.size();
                foundAgain += (int) reference.stream()
                        .filter(face -> fitted.stream().anyMatch(twin -> twin.iou(face) >= 0.9f))
                        .count();
            }
        }
        assertThat(letterboxFaces).as("faces the letterbox finds on 24 frames").isGreaterThan(60);
        assertThat((double) foundAgain / letterboxFaces).as("%d of %d found again", foundAgain, letterboxFaces).isGreaterThanOrEqualTo(0.99);
    }

    private static List<DetectedFace> detect(byte[] jpeg, String size) throws Exception {
        DetectorSettings settings = DetectorSettings.builder().size(size).build();
        try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
            return session.detect(jpeg, "image/jpeg").faces();
        }
    }

    private static void place(Mat frame, String photo, Rect where) throws Exception {
        place(frame, TestImages.decode(photo), where);
    }

    private static void place(Mat frame, Mat photo, Rect where) {
        Mat resized = new Mat();
        Imgproc.resize(photo, resized, new Size(where.width, where.height));
        resized.copyTo(frame.submat(where));
    }
}
