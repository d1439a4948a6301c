package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.CvType;
import org.opencv.core.Mat;
import org.opencv.core.MatOfByte;
import org.opencv.core.Rect;
import org.opencv.core.Scalar;
import org.opencv.core.Size;
import org.opencv.imgcodecs.Imgcodecs;
import org.opencv.imgproc.Imgproc;

/**
 * Sessions that make face images ({@link FaceDetector#newSession(FaceImagesSettings)}): the results stay those of a
 * plain session, faint faces are covered (fail closed) and only as the cover threshold says, crops are of the right
 * faces, and the anonymized image keeps the original size.
 */
@Timeout(300)
class FaceImagesSessionTest {

    /** The score threshold and cover threshold these tests rely on being the defaults. */
    private static final float SCORE_THRESHOLD = 0.5f;
    private static final float COVER_THRESHOLD = 0.3f;

    private static final DetectorSettings SETTINGS = DetectorSettings.defaults();
    private static FaceDetector detector;
    /** The same model at the cover threshold: what a faint face scores, found without the code under test. */
    private static FaceDetector probeDetector;
    private static FaceDetector.Session plain;
    private static FaceDetector.Session probe;
    private static ImageDecoder decoder;
    private static FaintScene faintScene;

    @BeforeAll
    static void loadModel() throws Exception {
        Natives.loadOpenCv();
        assertThat(SETTINGS.scoreThreshold()).isEqualTo(SCORE_THRESHOLD);
        assertThat(FaceImagesSettings.none().coverThreshold()).isEqualTo(COVER_THRESHOLD);
        detector = FaceDetector.load(SETTINGS);
        probeDetector = FaceDetector.load(DetectorSettings.builder().scoreThreshold(COVER_THRESHOLD).build());
        plain = detector.newSession();
        probe = probeDetector.newSession();
        decoder = new ImageDecoder(SETTINGS.maxImageBytes(), SETTINGS.maxImagePixels());
    }

    @AfterAll
    static void closeModel() {
        plain.close();
        probe.close();
        detector.close();
        probeDetector.close();
    }

    @Test
    void cropsAndAnonymizingLeaveEveryTestPhotosFacesExactlyAsAPlainSessionFindsThem() throws Exception {
        List<Path> photos;
        try (Stream<Path> files = Files.list(GoldenDetections.testdata())) {
            photos = files.filter(file -> file.getFileName().toString().matches(".*\\.(png|jpe?g)")).sorted().toList();
        }
        assertThat(photos).hasSize(7);
        List<NamedImage> images = new ArrayList<>();
        for (Path photo : photos) {
            images.add(new NamedImage(photo.getFileName().toString(), Files.readAllBytes(photo)));
        }
        images.add(new NamedImage("Chris.jpeg, EXIF-rotated", TestImages.exifRotatedJpeg("Chris.jpeg")));

        FaceImagesSettings both = FaceImagesSettings.builder().crops(true).anonymize(true).build();
        int faces = 0;
        try (FaceDetector.Session session = detector.newSession(both)) {
            for (NamedImage image : images) {
                // An anonymizing session decodes at full size; these photos are small enough that a plain one does too,
                // so both run the model on the same pixels and any difference comes from the face images.
                try (DecodedImage decoded = decoder.decode(image.bytes(), null, SETTINGS.size())) {
                    assertThat(decoded.toOriginal()).as("%s: a plain session decodes it at full size", image.name()).isEqualTo(1);
                }
                ImageDetections expected = plain.detect(image.bytes(), null);
                ImageDetections actual = session.detect(image.bytes(), null);

                assertThat(actual.faces()).as(image.name()).containsExactlyElementsOf(expected.faces());
                assertThat(actual.width()).as(image.name()).isEqualTo(expected.width());
                assertThat(actual.height()).as(image.name()).isEqualTo(expected.height());
                assertThat(actual.images().anonymized()).as(image.name()).isNotNull();
                assertThat(actual.images().crops()).as(image.name()).hasSameSizeAs(expected.faces());
                faces += expected.faces().size();
            }
        }
        assertThat(faces).as("the photos' faces (montage 4, one in each portrait, none in coffee)").isEqualTo(10);
    }

    @Test
    void aFaintFaceIsCoveredButNotInTheResults() throws Exception {
        FaintScene scene = faintScene();
        FaceImagesSettings settings = FaceImagesSettings.builder().anonymize(true).format(FaceImagesOptions.Format.PNG).build();
        try (FaceDetector.Session session = detector.newSession(settings)) {
            ImageDetections result = session.detect(scene.png(), "image/png");

            assertThat(result.faces()).as("the results: the probe's faces at or above the score threshold")
                    .containsExactlyElementsOf(scene.probeFaces().stream().filter(face -> face.score() >= SCORE_THRESHOLD).toList())
                    .isNotEmpty()
                    .noneMatch(face -> face.iou(scene.faint()) > 0.3f);
            FaceImages.Anonymized anonymized = result.images().anonymized();
            assertThat(anonymized.format()).isEqualTo(FaceImagesOptions.Format.PNG);
            assertThat(anonymized.covered()).as("the results' faces and the faint one").isEqualTo(result.faces().size() + 1)
                    .isEqualTo(scene.probeFaces().size());

            Mat written = decodePixels(anonymized.bytes());
            List<Rect> coveredBoxes = coveredBoxes(settings, scene.probeFaces(), scene.canvas());
            Rect faintBox = coveredBox(settings, scene.faint(), scene.canvas());
            long faintPixels = (long) faintBox.width * faintBox.height;
            assertThat(changedPixels(scene.canvas(), written, List.of(faintBox), true))
                    .as("changed pixels of the faint face's grown box %s (%d pixels)", faintBox, faintPixels)
                    .isGreaterThan(faintPixels / 2);
            assertThat(changedPixels(scene.canvas(), written, coveredBoxes, false)).as("changed pixels outside the covered boxes")
                    .isZero();
            assertThat(probe.detect(anonymized.bytes(), "image/png").faces()).as("faces at or above the cover threshold left")
                    .isEmpty();
        }
    }

    @Test
    void aCoverThresholdAboveTheFaintFacesScoreLeavesItUncovered() throws Exception {
        FaintScene scene = faintScene();
        float above = (scene.faint().score() + SCORE_THRESHOLD) / 2;
        FaceImagesSettings settings = FaceImagesSettings.builder().anonymize(true).format(FaceImagesOptions.Format.PNG)
                .coverThreshold(above).build();
        try (FaceDetector.Session session = detector.newSession(settings)) {
            ImageDetections result = session.detect(scene.png(), "image/png");

            assertThat(scene.probeFaces()).as("no probe face between the faint one and the score threshold")
                    .noneMatch(face -> face.score() >= above && face.score() < SCORE_THRESHOLD);
            assertThat(result.images().anonymized().covered()).as("the results' faces only").isEqualTo(result.faces().size());
            Mat written = decodePixels(result.images().anonymized().bytes());
            List<Rect> resultBoxes = coveredBoxes(settings, result.faces(), scene.canvas());
            assertThat(changedPixels(scene.canvas(), written, resultBoxes, true)).as("the results' faces are covered").isPositive();
            assertThat(changedPixels(scene.canvas(), written, resultBoxes, false))
                    .as("changed pixels outside the results' boxes, the faint face's among them").isZero();
            assertThat(probe.detect(result.images().anonymized().bytes(), "image/png").faces()).as("the faint face, still there")
                    .anyMatch(face -> face.iou(scene.faint()) > 0.5f && face.score() < SCORE_THRESHOLD);
        }
    }

    @Test
    void eachFaceScoringEnoughGetsACropOfItselfAtTheCropSize() throws Exception {
        byte[] montage = TestImages.photo("montage_4faces.png");
        int cropSize = 160;
        int quality = FaceImagesOptions.JPEG_QUALITY.defaultValue();
        FaceAligner aligner = new FaceAligner(cropSize, quality);
        List<FaceImages.Crop> everyFace;
        List<DetectedFace> faces;
        try (FaceDetector.Session session = detector.newSession(FaceImagesSettings.builder().crops(true).cropSize(cropSize).build());
             DecodedImage full = decoder.decode(montage, null)) {
            ImageDetections result = session.detect(montage, null);
            faces = result.faces();
            everyFace = result.images().crops();
            assertThat(faces).hasSize(4);
            assertThat(everyFace).extracting(FaceImages.Crop::faceIndex).containsExactly(0, 1, 2, 3);
            assertThat(result.images().cropsSkipped()).isZero();
            assertThat(result.images().anonymized()).isNull();
            for (FaceImages.Crop crop : everyFace) {
                Mat pixels = decodePixels(crop.face().jpeg());
                assertThat(pixels.cols()).isEqualTo(cropSize);
                assertThat(pixels.rows()).isEqualTo(cropSize);
                assertThat(crop.face().jpeg()).as("crop %d: the aligned crop of face %d", crop.faceIndex(), crop.faceIndex())
                        .isEqualTo(aligner.align(full, faces.get(crop.faceIndex())).jpeg());
            }
        }

        float minScore = 0.95f;
        List<Integer> confident = IntStream.range(0, faces.size()).filter(i -> faces.get(i).score() >= minScore).boxed().toList();
        assertThat(confident).as("faces on both sides of %s: %s", minScore, faces).isNotEmpty().hasSizeLessThan(faces.size());
        try (FaceDetector.Session session = detector.newSession(
                FaceImagesSettings.builder().crops(true).cropSize(cropSize).cropMinScore(minScore).build())) {
            ImageDetections result = session.detect(montage, null);
            assertThat(result.faces()).containsExactlyElementsOf(faces);
            assertThat(result.images().crops()).extracting(FaceImages.Crop::faceIndex).containsExactlyElementsOf(confident);
            assertThat(result.images().cropsSkipped()).as("faces below the minimum score are not skipped crops").isZero();
        }

        // Covering happens in the decoded pixels the crops are cut from: crops must come before it.
        try (FaceDetector.Session session = detector.newSession(
                FaceImagesSettings.builder().crops(true).anonymize(true).cropSize(cropSize).build())) {
            List<FaceImages.Crop> withAnonymizing = session.detect(montage, null).images().crops();
            assertThat(withAnonymizing).hasSameSizeAs(everyFace);
            for (int i = 0; i < everyFace.size(); i++) {
                assertThat(withAnonymizing.get(i).faceIndex()).isEqualTo(everyFace.get(i).faceIndex());
                assertThat(withAnonymizing.get(i).face().jpeg()).as("crop %d, anonymizing too", i)
                        .isEqualTo(everyFace.get(i).face().jpeg());
            }
        }
    }

    @Test
    void aLargeJpegIsAnonymizedAtItsOriginalSizeWithItsFacesCovered() throws Exception {
        Mat canvas = new Mat(3000, 4000, CvType.CV_8UC3, new Scalar(128, 128, 128));
        Mat montage = new Mat();
        Imgproc.resize(TestImages.decode("montage_4faces.png"), montage, new Size(3000, 3000), 0, 0, Imgproc.INTER_CUBIC);
        montage.copyTo(canvas.submat(new Rect(500, 0, 3000, 3000)));
        byte[] jpeg = TestImages.encode(".jpg", canvas, Imgcodecs.IMWRITE_JPEG_QUALITY, 90);
        try (DecodedImage decoded = decoder.decode(jpeg, null, SETTINGS.size())) {
            assertThat(decoded.toOriginal()).as("a plain session decodes it at reduced resolution").isGreaterThan(1);
        }
        List<DetectedFace> reduced = plain.detect(jpeg, null).faces();
        assertThat(reduced).hasSize(4);

        try (FaceDetector.Session session = detector.newSession(FaceImagesSettings.builder().anonymize(true).build())) {
            ImageDetections result = session.detect(jpeg, "image/jpeg");

            assertThat(result.width()).isEqualTo(4000);
            assertThat(result.height()).isEqualTo(3000);
            FaceImages.Anonymized anonymized = result.images().anonymized();
            assertThat(anonymized.format()).isEqualTo(FaceImagesOptions.Format.JPEG);
            Mat written = decodePixels(anonymized.bytes());
            assertThat(written.cols()).isEqualTo(4000);
            assertThat(written.rows()).isEqualTo(3000);
            assertThat(anonymized.covered()).isGreaterThanOrEqualTo(4);
            assertThat(plain.detect(anonymized.bytes(), "image/jpeg").faces()).as("faces left in the anonymized image").isEmpty();

            // Decoded at full size, the faces differ slightly from a reduced decode's, and no more.
            assertThat(result.faces()).hasSameSizeAs(reduced);
            for (DetectedFace face : reduced) {
                assertThat(result.faces()).as("a face matching %s", face)
                        .anyMatch(full -> full.iou(face) > 0.9f && Math.abs(full.score() - face.score()) < 0.05f);
            }
        }
    }

    private record NamedImage(String name, byte[] bytes) {}

    /**
     * A portrait the detector is sure of beside one whose contrast is lowered until the probe scores it between the
     * cover threshold and the score threshold.
     *
     * @param probeFaces every face the probe finds, the faint one among them
     */
    private record FaintScene(Mat canvas, byte[] png, DetectedFace faint, List<DetectedFace> probeFaces) {}

    @Test
    void anAnonymizedJpegOverTheByteLimitIsEncodedAgainAtLowerQualityOrRefused() throws Exception {
        byte[] photo = TestImages.photo("montage_4faces.png");
        FaceImagesSettings anonymize = FaceImagesSettings.builder().anonymize(true).build();
        int atQuality95;
        int atQuality50;
        try (DecodedImage image = decoder.decode(photo, null)) {
            // The sizes the limit is set between, encoded apart from the session (no face covered: a little larger).
            atQuality95 = FaceAnonymizer.jpeg(image.bgr(), 95).length;
            atQuality50 = FaceAnonymizer.jpeg(image.bgr(), 50).length;
        }
        assertThat(atQuality50).isLessThan(atQuality95 / 2);
        long between = (atQuality50 + atQuality95) / 2;
        try (FaceDetector.Session session = detector.newSession(anonymize.withMaxEncodedBytes(between))) {
            ImageDetections detections = session.detect(photo, null);
            byte[] fitted = detections.images().anonymized().bytes();
            assertThat(fitted.length).isLessThanOrEqualTo((int) between);
            assertThat(decodePixels(fitted).size()).isEqualTo(new Size(detections.width(), detections.height()));
            assertThat(plain.detect(fitted, "image/jpeg").faces()).isEmpty();
        }
        try (FaceDetector.Session session = detector.newSession(anonymize.withMaxEncodedBytes(atQuality50 / 4))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.detect(photo, null))
                    .isInstanceOfSatisfying(ImageRejectedException.class,
                            rejected -> assertThat(rejected.reason()).isEqualTo(RejectReason.BYTES_TOO_LARGE))
                    .hasMessageContaining("anonymized").hasMessageContaining("quality 50")
                    .hasMessageContaining("over the " + atQuality50 / 4 + " bytes");
        }
        FaceImagesSettings png = FaceImagesSettings.builder().anonymize(true).format(FaceImagesOptions.Format.PNG).build();
        try (FaceDetector.Session session = detector.newSession(png.withMaxEncodedBytes(atQuality95))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> session.detect(photo, null))
                    .hasMessageContaining("as a PNG");
        }
    }

    @Test
    void aCropOverTheByteLimitIsSkippedAndCounted() throws Exception {
        byte[] photo = TestImages.photo("montage_4faces.png");
        FaceImagesSettings crops = FaceImagesSettings.builder().crops(true).cropSize(256).build();
        try (FaceDetector.Session unlimited = detector.newSession(crops)) {
            List<FaceImages.Crop> all = unlimited.detect(photo, null).images().crops();
            assertThat(all).hasSize(4);
            List<Integer> sizes = all.stream().map(crop -> crop.face().jpeg().length).sorted().toList();
            long limit = sizes.get(1);
            try (FaceDetector.Session limited = detector.newSession(crops.withMaxEncodedBytes(limit))) {
                FaceImages images = limited.detect(photo, null).images();
                assertThat(images.crops()).allSatisfy(crop -> assertThat(crop.face().jpeg().length).isLessThanOrEqualTo((int) limit));
                long fitting = sizes.stream().filter(size -> size <= limit).count();
                assertThat(images.crops()).hasSize((int) fitting);
                assertThat(images.cropsSkipped()).isEqualTo(4 - (int) fitting);
            }
        }
    }

    /** With a multi-size policy faint faces are told apart before box voting: the results still are the plain session's. */
    @Test
    void withAMultiSizePolicyTheResultsAreThoseOfAPlainSessionToo() throws Exception {
        DetectorSettings multi = DetectorSettings.builder().size("multi").build();
        try (FaceDetector multiDetector = FaceDetector.load(multi);
             FaceDetector.Session multiPlain = multiDetector.newSession();
             FaceDetector.Session multiAnonymizing = multiDetector.newSession(FaceImagesSettings.builder().anonymize(true).build())) {
            int faces = 0;
            for (String name : List.of("montage_4faces.png", "Chris.jpeg", "astronaut.png")) {
                byte[] photo = TestImages.photo(name);
                ImageDetections expected = multiPlain.detect(photo, null);
                ImageDetections actual = multiAnonymizing.detect(photo, null);
                assertThat(actual.faces()).as(name).isEqualTo(expected.faces());
                assertThat(actual.images().anonymized().covered()).isGreaterThanOrEqualTo(expected.faces().size());
                faces += expected.faces().size();
            }
            assertThat(faces).isGreaterThanOrEqualTo(6);
        }
    }

    private static synchronized FaintScene faintScene() throws IOException, ImageRejectedException {
        if (faintScene != null) {
            return faintScene;
        }
        Mat luciano = TestImages.decode("Luciano.png");
        Mat chris = TestImages.decode("Chris.jpeg");
        Rect faintSide = new Rect(400, 0, chris.cols(), chris.rows());
        List<String> tried = new ArrayList<>();
        // Scores fall steeply between contrast 0.1 and 0.08 (int8 model), so the steps are fine.
        for (int step = 0; step <= 100; step++) {
            double contrast = 0.12 - step * 0.0005;
            Mat canvas = new Mat(chris.rows(), faintSide.x + chris.cols(), CvType.CV_8UC3, new Scalar(128, 128, 128));
            luciano.copyTo(canvas.submat(new Rect(0, 100, luciano.cols(), luciano.rows())));
            Mat faded = new Mat();
            chris.convertTo(faded, -1, contrast, 128 * (1 - contrast));
            faded.copyTo(canvas.submat(faintSide));
            byte[] png = TestImages.encode(".png", canvas);
            List<DetectedFace> faces = probe.detect(png, "image/png").faces();
            List<DetectedFace> onFaintSide = faces.stream().filter(face -> (face.x1() + face.x2()) / 2 > faintSide.x).toList();
            tried.add(String.format("%.4f: %s", contrast, faces));
            if (onFaintSide.size() == 1 && onFaintSide.get(0).score() < SCORE_THRESHOLD
                    && faces.stream().anyMatch(face -> face.score() >= SCORE_THRESHOLD)) {
                faintScene = new FaintScene(canvas, png, onFaintSide.get(0), faces);
                return faintScene;
            }
        }
        throw new AssertionError("no contrast gave one face scoring between " + COVER_THRESHOLD + " and " + SCORE_THRESHOLD
                + ": " + String.join("; ", tried));
    }

    private static Mat decodePixels(byte[] encoded) {
        Mat pixels = Imgcodecs.imdecode(new MatOfByte(encoded), Imgcodecs.IMREAD_COLOR);
        assertThat(pixels.empty()).as("decodes").isFalse();
        return pixels;
    }

    private static Rect coveredBox(FaceImagesSettings settings, DetectedFace face, Mat image) {
        return new FaceAnonymizer(settings.style(), settings.margin()).coveredBox(face, image.cols(), image.rows());
    }

    private static List<Rect> coveredBoxes(FaceImagesSettings settings, List<DetectedFace> faces, Mat image) {
        return faces.stream().map(face -> coveredBox(settings, face, image)).toList();
    }

    /** Pixels that differ between the images, counting those inside the boxes, or those outside every box. */
    private static long changedPixels(Mat before, Mat after, List<Rect> boxes, boolean inside) {
        assertThat(after.size()).isEqualTo(before.size());
        byte[] a = new byte[(int) before.total() * 3];
        byte[] b = new byte[a.length];
        before.get(0, 0, a);
        after.get(0, 0, b);
        long changed = 0;
        for (int y = 0; y < before.rows(); y++) {
            for (int x = 0; x < before.cols(); x++) {
                if (inAny(boxes, x, y) != inside) {
                    continue;
                }
                int i = 3 * (y * before.cols() + x);
                if (a[i] != b[i] || a[i + 1] != b[i + 1] || a[i + 2] != b[i + 2]) {
                    changed++;
                }
            }
        }
        return changed;
    }

    private static boolean inAny(List<Rect> boxes, int x, int y) {
        for (Rect box : boxes) {
            if (x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height) {
                return true;
            }
        }
        return false;
    }
}
