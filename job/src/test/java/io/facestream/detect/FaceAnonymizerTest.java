package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.opencv.core.Core;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Rect;
import org.opencv.imgcodecs.Imgcodecs;

/** Covered faces are no faces to the detector any more, and nothing else of the image changes. */
class FaceAnonymizerTest {

    private static final List<String> PHOTOS = List.of("Bryan.png", "Chris.jpeg", "Luciano.png", "astronaut.png",
            "camera.png", "montage_4faces.png");
    private static final double MARGIN = 0.2;

    private static FaceDetector detector;
    private static FaceDetector.Session session;
    private static ImageDecoder decoder;

    @BeforeAll
    static void loadModel() throws Exception {
        Natives.loadOpenCv();
        detector = FaceDetector.load(DetectorSettings.defaults());
        session = detector.newSession();
        decoder = new ImageDecoder(DetectorSettings.defaults().maxImageBytes(), DetectorSettings.defaults().maxImagePixels());
    }

    @AfterAll
    static void closeModel() {
        session.close();
        detector.close();
    }

    @ParameterizedTest
    @EnumSource(FaceAnonymizer.Style.class)
    void theDetectorFindsNoFaceInAnAnonymizedPhotoAndNoPixelOutsideTheCoveredBoxesChanges(FaceAnonymizer.Style style) throws Exception {
        FaceAnonymizer anonymizer = new FaceAnonymizer(style, MARGIN);
        int covered = 0;
        for (String name : PHOTOS) {
            byte[] photo = Files.readAllBytes(GoldenDetections.testdata().resolve(name));
            List<DetectedFace> faces = session.detect(photo, null).faces();
            assertThat(faces).as(name).isNotEmpty();
            try (DecodedImage image = decoder.decode(photo, null)) {
                Mat original = image.bgr().clone();
                anonymizer.cover(image.bgr(), faces);
                byte[] png = FaceAnonymizer.png(image.bgr());

                assertThat(session.detect(png, "image/png").faces()).as("%s, %s: faces left", name, style)
                        .noneMatch(face -> face.score() >= 0.5f);
                Mat written = Imgcodecs.imdecode(new MatOfByte(png), Imgcodecs.IMREAD_COLOR);
                List<Rect> boxes = faces.stream().map(face -> anonymizer.coveredBox(face, original.cols(), original.rows())).toList();
                assertThat(changedPixelsOutside(original, written, boxes)).as("%s, %s: pixels changed outside the covered boxes",
                        name, style).isZero();
                assertThat(changedPixelsOutside(original, written, List.of())).as("%s, %s: the faces are covered", name, style)
                        .isPositive();
                covered += faces.size();
            }
        }
        assertThat(covered).isEqualTo(9);
    }

    @Test
    void asJpegTheRestOfThePhotoStaysWithin35DbPsnr() throws Exception {
        byte[] photo = Files.readAllBytes(GoldenDetections.testdata().resolve("montage_4faces.png"));
        FaceAnonymizer anonymizer = new FaceAnonymizer(FaceAnonymizer.Style.BLUR, MARGIN);
        List<DetectedFace> faces = session.detect(photo, null).faces();
        try (DecodedImage image = decoder.decode(photo, null)) {
            Mat original = image.bgr().clone();
            anonymizer.cover(image.bgr(), faces);
            Mat written = Imgcodecs.imdecode(new MatOfByte(FaceAnonymizer.jpeg(image.bgr(), 95)), Imgcodecs.IMREAD_COLOR);
            List<Rect> boxes = faces.stream().map(face -> anonymizer.coveredBox(face, original.cols(), original.rows())).toList();
            assertThat(psnrOutside(original, written, boxes)).isGreaterThanOrEqualTo(35.0);
        }
    }

    @Test
    void anExifRotatedPhotoComesOutUprightWithoutExif() throws Exception {
        byte[] rotated = TestImages.exifRotatedJpeg("Chris.jpeg");
        assertThat(containsExif(rotated)).as("the input carries EXIF").isTrue();
        List<DetectedFace> faces = session.detect(rotated, "image/jpeg").faces();
        try (DecodedImage image = decoder.decode(rotated, "image/jpeg")) {
            new FaceAnonymizer(FaceAnonymizer.Style.PIXELATE, MARGIN).cover(image.bgr(), faces);
            byte[] jpeg = FaceAnonymizer.jpeg(image.bgr(), 90);

            assertThat(containsExif(jpeg)).as("EXIF in the anonymized JPEG").isFalse();
            Mat written = Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR);
            Mat upright = TestImages.decode("Chris.jpeg");
            assertThat(written.cols()).isEqualTo(upright.cols());
            assertThat(written.rows()).isEqualTo(upright.rows());
            assertThat(session.detect(jpeg, "image/jpeg").faces()).noneMatch(face -> face.score() >= 0.5f);
        }
    }

    private static long changedPixelsOutside(Mat before, Mat after, List<Rect> boxes) {
        long changed = 0;
        byte[] a = new byte[3];
        byte[] b = new byte[3];
        for (int y = 0; y < before.rows(); y++) {
            for (int x = 0; x < before.cols(); x++) {
                if (inside(boxes, x, y)) {
                    continue;
                }
                before.get(y, x, a);
                after.get(y, x, b);
                if (a[0] != b[0] || a[1] != b[1] || a[2] != b[2]) {
                    changed++;
                }
            }
        }
        return changed;
    }

    private static double psnrOutside(Mat before, Mat after, List<Rect> boxes) {
        double squared = 0;
        long values = 0;
        byte[] a = new byte[3];
        byte[] b = new byte[3];
        for (int y = 0; y < before.rows(); y++) {
            for (int x = 0; x < before.cols(); x++) {
                if (!inside(boxes, x, y)) {
                    before.get(y, x, a);
                    after.get(y, x, b);
                    for (int c = 0; c < 3; c++) {
                        double d = (a[c] & 0xFF) - (b[c] & 0xFF);
                        squared += d * d;
                    }
                    values += 3;
                }
            }
        }
        return 10 * Math.log10(255.0 * 255.0 / (squared / values));
    }

    private static boolean inside(List<Rect> boxes, int x, int y) {
        for (Rect box : boxes) {
            if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) {
                return true;
            }
        }
        return false;
    }

    /** An APP1 segment whose identifier is "Exif". */
    private static boolean containsExif(byte[] jpeg) {
        byte[] id = "Exif".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + 8 < jpeg.length; i++) {
            if ((jpeg[i] & 0xFF) == 0xFF && (jpeg[i + 1] & 0xFF) == 0xE1 && jpeg[i + 4] == id[0] && jpeg[i + 5] == id[1]
                    && jpeg[i + 6] == id[2] && jpeg[i + 7] == id[3]) {
                return true;
            }
        }
        return false;
    }
}
