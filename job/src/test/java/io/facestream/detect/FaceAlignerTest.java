package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Point;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/** Aligned crops of the test faces: landmarks onto the ArcFace template, pixels where they belong. */
@Timeout(120)
class FaceAlignerTest {

    static {
        Natives.loadOpenCv();
    }

    /** insightface's arcface_dst for 112x112, typed in again so that no test reads it from the code under test. */
    private static final double[] ARCFACE = {
        38.2946, 51.6963, 73.5318, 51.5014, 56.0252, 71.7366, 41.5493, 92.3655, 70.7299, 92.2041};

    @Test
    void everyTestFaceLandsWithinThreePixelsOfTheTemplate() throws Exception {
        FaceAligner aligner = new FaceAligner(112, 95);
        int faces = 0;
        for (Map.Entry<String, GoldenDetections.Image> entry : GoldenDetections.load().entrySet()) {
            for (DetectedFace face : entry.getValue().faces()) {
                FaceAlignment alignment = aligner.fit(face);
                double[] m = alignment.matrix();
                double squares = 0;
                double max = 0;
                for (int p = 0; p < 5; p++) {
                    double x = face.landmarkX(p);
                    double y = face.landmarkY(p);
                    double d = Math.hypot(m[0] * x + m[1] * y + m[2] - ARCFACE[2 * p], m[3] * x + m[4] * y + m[5] - ARCFACE[2 * p + 1]);
                    squares += d * d;
                    max = Math.max(max, d);
                }
                double rms = Math.sqrt(squares / 5);
                System.out.printf(Locale.ROOT, "[align] %s face %d (score %.3f): landmarks to the 112 template rms %.2f px, max %.2f px; "
                                + "scale %.3f, rotation %.1f deg%n", entry.getKey(), entry.getValue().faces().indexOf(face), face.score(),
                        rms, max, alignment.imageToCrop().scale(), Math.toDegrees(alignment.imageToCrop().rotationRadians()));
                assertThat(max).as("%s face %s", entry.getKey(), face).isLessThanOrEqualTo(3.0);
                assertThat(alignment.rmsErrorPx()).isCloseTo(rms, within(1e-9));
                assertThat(alignment.maxErrorPx()).isCloseTo(max, within(1e-9));
                // The template scales with the crop, and so do the distances.
                FaceAlignment twice = new FaceAligner(224, 95).fit(face);
                assertThat(twice.maxErrorPx()).isCloseTo(2 * max, within(1e-9));
                assertThat(twice.imageToCrop().scale()).isCloseTo(2 * alignment.imageToCrop().scale(), within(1e-9));
                faces++;
            }
        }
        assertThat(faces).isEqualTo(10);
    }

    /**
     * A coloured dot on each landmark of a drawn "face": the crop has each dot's colour at its
     * template point, whether the image was decoded at full or (as large JPEGs are) half resolution.
     */
    @Test
    void eachLandmarksPixelsLandOnItsTemplatePoint() throws Exception {
        // The template turned 25 degrees, scaled 2.2 and moved: where the landmarks are in the drawing.
        double theta = Math.toRadians(25);
        double scale = 2.2;
        float[] landmarks = new float[10];
        for (int p = 0; p < 5; p++) {
            double x = ARCFACE[2 * p];
            double y = ARCFACE[2 * p + 1];
            landmarks[2 * p] = (float) (scale * (Math.cos(theta) * x - Math.sin(theta) * y) + 250);
            landmarks[2 * p + 1] = (float) (scale * (Math.sin(theta) * x + Math.cos(theta) * y) + 60);
        }
        Scalar[] colours = {new Scalar(255, 0, 0), new Scalar(0, 255, 0), new Scalar(0, 0, 255), new Scalar(255, 255, 0),
            new Scalar(255, 0, 255)};
        Mat drawing = new Mat(480, 640, CvType.CV_8UC3, new Scalar(128, 128, 128));
        for (int p = 0; p < 5; p++) {
            Imgproc.circle(drawing, new Point(landmarks[2 * p], landmarks[2 * p + 1]), 10, colours[p], -1);
        }
        DetectedFace face = new DetectedFace(1f, 0, 0, 1, 1, landmarks);
        Mat half = new Mat();
        Imgproc.resize(drawing, half, new Size(320, 240), 0, 0, Imgproc.INTER_AREA);
        FaceAligner aligner = new FaceAligner(112, 100);
        try (DecodedImage full = new DecodedImage(drawing); DecodedImage reduced = new DecodedImage(half, 2, 640, 480)) {
            for (DecodedImage image : List.of(full, reduced)) {
                Mat crop = decodeJpeg(aligner.align(image, face).jpeg());
                assertThat(crop.size()).isEqualTo(new Size(112, 112));
                for (int p = 0; p < 5; p++) {
                    double[] pixel = crop.get((int) Math.round(ARCFACE[2 * p + 1]), (int) Math.round(ARCFACE[2 * p]));
                    for (int c = 0; c < 3; c++) {
                        assertThat(pixel[c]).as("landmark %d channel %d at reduction %d", p, c, image.toOriginal())
                                .isCloseTo(colours[p].val[c], within(40.0));
                    }
                }
            }
        }
    }

    /** Where the crop's square reaches past the image, it is black, as in insightface's crops. */
    @Test
    void pixelsBeyondTheImageAreBlack() throws Exception {
        Mat grey = new Mat(100, 100, CvType.CV_8UC3, new Scalar(200, 200, 200));
        float[] landmarks = new float[10];
        for (int i = 0; i < 10; i++) {
            // Half the template's size, 20 pixels left of the image's left edge: crop x = 2 (x + 20).
            landmarks[i] = (float) (ARCFACE[i] / 2 - (i % 2 == 0 ? 20 : 0));
        }
        try (DecodedImage image = new DecodedImage(grey)) {
            Mat crop = decodeJpeg(new FaceAligner(112, 100).align(image, new DetectedFace(1f, 0, 0, 1, 1, landmarks)).jpeg());
            assertThat(crop.get(56, 10)[1]).as("crop x 10 is image x -15").isLessThan(5);
            assertThat(crop.get(56, 100)[1]).as("crop x 100 is image x 30").isCloseTo(200, within(5.0));
        }
    }

    /**
     * Each test face's crop, enlarged to 448x448, is found by the detector as one confident face with
     * its landmarks back on the (enlarged) template.
     */
    @Test
    void anEnlargedCropIsDetectedAsOneFaceOnTheTemplate() throws Exception {
        FaceAligner aligner = new FaceAligner(112, 95);
        ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
        List<String> problems = new ArrayList<>();
        try (FaceDetector detector = FaceDetector.load(DetectorSettings.defaults()); FaceDetector.Session session = detector.newSession()) {
            for (Map.Entry<String, GoldenDetections.Image> entry : GoldenDetections.load().entrySet()) {
                for (DetectedFace face : entry.getValue().faces()) {
                    String name = entry.getKey() + " face " + entry.getValue().faces().indexOf(face);
                    byte[] jpeg;
                    try (DecodedImage image = decoder.decode(TestImages.photo(entry.getKey()), null)) {
                        jpeg = aligner.align(image, face).jpeg();
                    }
                    Mat crop = decodeJpeg(jpeg);
                    Mat enlarged = new Mat();
                    Imgproc.resize(crop, enlarged, new Size(448, 448), 0, 0, Imgproc.INTER_CUBIC);
                    List<DetectedFace> found = session.detect(TestImages.encode(".png", enlarged), null).faces();
                    double worst = Double.NaN;
                    if (found.size() == 1) {
                        worst = 0;
                        for (int p = 0; p < 5; p++) {
                            worst = Math.max(worst, Math.hypot(found.get(0).landmarkX(p) / 4 - ARCFACE[2 * p],
                                    found.get(0).landmarkY(p) / 4 - ARCFACE[2 * p + 1]));
                        }
                    }
                    System.out.printf(Locale.ROOT, "[align] %s: crop of %d bytes, enlarged 4x: %d faces %s, landmarks / 4 at most %.2f px "
                            + "from the template%n", name, jpeg.length, found.size(), found, worst);
                    if (found.size() != 1 || found.get(0).score() < 0.9f || !(worst <= MAX_REDETECTED_LANDMARK_PX)) {
                        problems.add(name + ": " + found + ", landmarks " + worst + " px off");
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    /** In 112-pixel units: the detector's own landmark error on a face filling its input, and the fit's residual. */
    private static final double MAX_REDETECTED_LANDMARK_PX = 6;

    @Test
    void theJpegQualityIsTheOneAskedFor() throws Exception {
        DetectedFace face = GoldenDetections.load().get("Chris.jpeg").faces().get(0);
        try (DecodedImage image = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE).decode(TestImages.photo("Chris.jpeg"), null)) {
            byte[] coarse = new FaceAligner(112, 20).align(image, face).jpeg();
            byte[] fine = new FaceAligner(112, 98).align(image, face).jpeg();
            assertThat(coarse.length).isLessThan(fine.length / 2);
            assertThat(decodeJpeg(coarse).size()).isEqualTo(new Size(112, 112));
        }
    }

    @Test
    void rejectsSizesAndQualitiesOutOfRange() {
        assertThatThrownBy(() -> new FaceAligner(0, 90)).hasMessageContaining("size");
        assertThatThrownBy(() -> new FaceAligner(FaceAligner.MAX_SIZE + 1, 90)).hasMessageContaining("size");
        assertThatThrownBy(() -> new FaceAligner(112, 101)).hasMessageContaining("quality");
        assertThatThrownBy(() -> new FaceAligner(112, -1)).hasMessageContaining("quality");
    }

    private static Mat decodeJpeg(byte[] jpeg) {
        assertThat(jpeg).startsWith((byte) 0xFF, (byte) 0xD8);
        return Imgcodecs.imdecode(new MatOfByte(jpeg), Imgcodecs.IMREAD_COLOR);
    }
}
