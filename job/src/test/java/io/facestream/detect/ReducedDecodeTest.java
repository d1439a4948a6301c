package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.Core;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfInt;
import org.opencv.core.Rect;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Large JPEGs decoded at reduced resolution give the faces of a full decode, in original pixels. */
@Timeout(60)
class ReducedDecodeTest {

    static {
        // The test builds Mats before anything else would have loaded OpenCV when it runs first.
        Natives.loadOpenCv();
    }

    @Test
    void picksTheLargestReductionThatKeepsTheNeededResolution() {
        assertThat(ImageDecoder.reduction(1f)).isEqualTo(1);
        assertThat(ImageDecoder.reduction(0.6f)).isEqualTo(1);
        assertThat(ImageDecoder.reduction(0.5f)).isEqualTo(2);
        assertThat(ImageDecoder.reduction(640f / 1920)).isEqualTo(2);
        assertThat(ImageDecoder.reduction(0.25f)).isEqualTo(4);
        assertThat(ImageDecoder.reduction(0.01f)).isEqualTo(8);
    }

    @Test
    void aFullHdFrameGivesTheSameFacesAsAFullDecode() throws Exception {
        Mat frame = Mat.zeros(1080, 1920, CvType.CV_8UC3);
        Mat portrait = new Mat();
        Imgproc.resize(TestImages.decode("Chris.jpeg"), portrait, new Size(600, 795));
        portrait.copyTo(frame.submat(new Rect(700, 150, 600, 795)));
        byte[] jpeg = TestImages.encode(".jpg", frame);
        Mat turned = new Mat();
        Core.rotate(frame, turned, Core.ROTATE_90_COUNTERCLOCKWISE);
        byte[] rotatedJpeg = TestImages.withExifOrientation(TestImages.encode(".jpg", turned), 6);

        DetectorSettings settings = DetectorSettings.defaults();
        try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
            ImageDetections reduced = session.detect(jpeg, null);
            ImageDetections reducedRotated = session.detect(rotatedJpeg, null);
            List<DetectedFace> full;
            try (DecodedImage image = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE).decode(jpeg, null)) {
                assertThat(image.toOriginal()).isEqualTo(1);
                full = session.runModel(image).faces();
            }
            try (DecodedImage image = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE).decode(jpeg, null, settings.size())) {
                assertThat(image.toOriginal()).isEqualTo(2);
                assertThat(image.width()).isEqualTo(960);
            }
            for (ImageDetections result : List.of(reduced, reducedRotated)) {
                assertThat(result.width()).isEqualTo(1920);
                assertThat(result.height()).isEqualTo(1080);
                assertThat(result.faces()).hasSameSizeAs(full).isNotEmpty();
                DetectedFace face = result.faces().get(0);
                assertThat(face.iou(full.get(0))).isGreaterThan(0.95f);
                assertThat(Math.abs(face.score() - full.get(0).score())).isLessThan(0.01f);
                assertThat(Math.hypot(face.landmarkX(0) - full.get(0).landmarkX(0), face.landmarkY(0) - full.get(0).landmarkY(0)))
                        .isLessThan(3.0);
            }
        }
    }
}
