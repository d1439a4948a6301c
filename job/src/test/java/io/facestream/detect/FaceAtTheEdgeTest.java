package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opencv.core.Mat;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * A face cut by the right or the bottom edge of a non-square image: the model extends its box
 * past that edge, over the padding of the tensor, and the result clips it to the image, on every
 * path an image takes (one pass, a reduced JPEG decode, several passes merged).
 */
@Timeout(120)
class FaceAtTheEdgeTest {

    @BeforeAll
    static void loadOpenCv() {
        Natives.loadOpenCv();
    }

    /**
     * @param edge    which edge cuts Chris's face (box 134..367 x 107..422 in the 512x678 photo), 20 px into it
     * @param upscale above 1: a JPEG this much larger, which the letterbox decodes at a reduced resolution
     */
    @ParameterizedTest(name = "{0} edge, {1}, {2}x {3}")
    @CsvSource({
        "right,  letterbox:640,  1, .png",
        "bottom, letterbox:640,  1, .png",
        "right,  letterbox:640,  4, .jpg",
        "bottom, letterbox:640,  4, .jpg",
        "right,  'multi:416,640', 1, .png",
        "bottom, 'multi:416,640', 1, .png",
    })
    void everyBoxLiesWithinTheImage(String edge, String size, int upscale, String format) throws Exception {
        Mat chris = TestImages.decode("Chris.jpeg");
        Rect kept = edge.equals("right") ? new Rect(0, 0, 346, 678) : new Rect(0, 0, 512, 402);
        Mat image = new Mat(chris, kept).clone();
        if (upscale > 1) {
            Imgproc.resize(image, image, new Size(kept.width * upscale, kept.height * upscale));
        }
        int width = image.cols();
        int height = image.rows();

        ImageDetections detections;
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.builder().size(size).build());
             FaceDetector.Session session = detector.newSession()) {
            detections = session.detect(TestImages.encode(format, image), null);
        }

        assertThat(detections.width()).isEqualTo(width);
        assertThat(detections.height()).isEqualTo(height);
        assertThat(detections.faces()).hasSize(1).allSatisfy(face -> {
            assertThat(face.x1()).isBetween(0f, face.x2());
            assertThat(face.y1()).isBetween(0f, face.y2());
            assertThat(face.x2()).isLessThanOrEqualTo(width - 1f);
            assertThat(face.y2()).isLessThanOrEqualTo(height - 1f);
        });
        // The box reached past the cut edge, and stops at the image's last pixel.
        DetectedFace face = detections.faces().get(0);
        assertThat(edge.equals("right") ? face.x2() : face.y2()).isEqualTo(edge.equals("right") ? width - 1f : height - 1f);
    }
}
