package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.Core;
import org.opencv.core.MatOfByte;
import org.opencv.imgcodecs.Imgcodecs;

/**
 * Landmarks are, in order: left eye, right eye, nose, left and right mouth corner, with left and
 * right as seen in the image (the person's right eye is the image's left eye).
 */
@Timeout(60)
class LandmarkOrderTest {

    private static FaceDetector detector;
    private static FaceDetector.Session session;

    @BeforeAll
    static void load() throws Exception {
        detector = FaceDetector.load(DetectorSettings.defaults());
        session = detector.newSession();
    }

    @AfterAll
    static void close() {
        session.close();
        detector.close();
    }

    private static DetectedFace onlyFace(byte[] image) throws Exception {
        List<DetectedFace> faces = session.detect(image, null).faces();
        assertThat(faces).hasSize(1);
        return faces.get(0);
    }

    @Test
    void eyesOfAKnownPortraitAreWhereTheyAre() throws Exception {
        // Chris.jpeg (512x678, frontal): the pupils were read off a gridded, enlarged crop of the
        // photo at about (210, 235) on the image's left and (312, 237) on its right; nose tip about (268, 298).
        DetectedFace face = onlyFace(Files.readAllBytes(GoldenDetections.testdata().resolve("Chris.jpeg")));
        assertThat(face.landmarkX(0)).isCloseTo(210f, within(8f));
        assertThat(face.landmarkY(0)).isCloseTo(235f, within(8f));
        assertThat(face.landmarkX(1)).isCloseTo(312f, within(8f));
        assertThat(face.landmarkY(1)).isCloseTo(237f, within(8f));
        assertThat(face.landmarkX(2)).isCloseTo(268f, within(12f));
        assertThat(face.landmarkY(2)).isCloseTo(298f, within(12f));
    }

    @Test
    void aMirroredPhotoSwapsLeftAndRight() throws Exception {
        byte[] original = Files.readAllBytes(GoldenDetections.testdata().resolve("Luciano.png"));
        DetectedFace face = onlyFace(original);
        float width;
        byte[] mirrored;
        try (DecodedImage image = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE).decode(original, null)) {
            width = image.width();
            Core.flip(image.bgr(), image.bgr(), 1);
            MatOfByte png = new MatOfByte();
            Imgcodecs.imencode(".png", image.bgr(), png);
            mirrored = png.toArray();
        }
        DetectedFace flipped = onlyFace(mirrored);
        // Mirroring maps x to (width - 1 - x); the image's left eye of the mirror is the right eye of the original.
        int[] swapped = {1, 0, 2, 4, 3};
        for (int p = 0; p < 5; p++) {
            assertThat(flipped.landmarkX(p)).as("landmark %d x", p).isCloseTo(width - 1 - face.landmarkX(swapped[p]), within(3f));
            assertThat(flipped.landmarkY(p)).as("landmark %d y", p).isCloseTo(face.landmarkY(swapped[p]), within(3f));
        }
        for (DetectedFace f : List.of(face, flipped)) {
            assertThat(f.landmarkX(0)).isLessThan(f.landmarkX(1));
            assertThat(f.landmarkX(3)).isLessThan(f.landmarkX(4));
            assertThat(f.landmarkY(2)).isGreaterThan(Math.max(f.landmarkY(0), f.landmarkY(1)));
            assertThat(Math.min(f.landmarkY(3), f.landmarkY(4))).isGreaterThan(f.landmarkY(2));
        }
    }
}
