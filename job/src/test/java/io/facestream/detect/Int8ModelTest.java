package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The build's int8 copy of the default model finds the faces of the independent reference, with
 * landmarks within a pixel of it and of the float model: at the reference's letterbox and at the
 * default size.
 */
@Timeout(180)
class Int8ModelTest {

    /** Faces of the reference are found again at this box IoU. */
    private static final float MIN_IOU = 0.9f;

    @Test
    void int8FindsTheReferenceFacesWithLandmarksWithinAPixel() throws Exception {
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        for (String size : List.of("letterbox:640", "fit:640")) {
            List<Double> toReference = new ArrayList<>();
            List<Double> toFloat = new ArrayList<>();
            try (FaceDetector fp32 = FaceDetector.load(DetectorSettings.builder().size(size).precision("fp32").build());
                 FaceDetector int8 = FaceDetector.load(DetectorSettings.builder().size(size).precision("int8").build());
                 FaceDetector.Session floatSession = fp32.newSession();
                 FaceDetector.Session int8Session = int8.newSession()) {
                assertThat(int8.modelName()).isEqualTo("mnet.25_v2.int8.onnx");
                for (Map.Entry<String, GoldenDetections.Image> entry : golden.entrySet()) {
                    byte[] bytes = Files.readAllBytes(GoldenDetections.testdata().resolve(entry.getKey()));
                    List<DetectedFace> quantized = confident(int8Session.detect(bytes, null).faces());
                    List<DetectedFace> reference = entry.getValue().faces();
                    List<DetectedFace> floats = confident(floatSession.detect(bytes, null).faces());
                    assertThat(quantized).as("%s at %s: faces %s", entry.getKey(), size, quantized).hasSameSizeAs(reference);
                    assertThat(GoldenDetections.disagreements(entry.getKey(), reference, quantized, GoldenDetections.INT8_REFERENCE))
                            .as(size).isEmpty();
                    toReference.addAll(landmarkDistances(entry.getKey(), reference, quantized));
                    toFloat.addAll(landmarkDistances(entry.getKey(), floats, quantized));
                }
            }
            int referenceFaces = golden.values().stream().mapToInt(image -> image.faces().size()).sum();
            assertThat(referenceFaces).isGreaterThanOrEqualTo(9);
            assertThat(toReference).as(size).hasSize(DetectedFace.LANDMARK_COUNT * referenceFaces);
            System.out.printf(Locale.ROOT, "int8 at %s: landmarks to the reference median %.2f px, max %.2f px; "
                    + "to fp32 median %.2f px, max %.2f px%n", size, median(toReference), max(toReference), median(toFloat), max(toFloat));
            assertThat(median(toReference)).as("median landmark distance to the reference at %s", size).isLessThanOrEqualTo(1.0);
            assertThat(median(toFloat)).as("median landmark distance to fp32 at %s", size).isLessThanOrEqualTo(1.0);
        }
    }

    @Test
    void int8IsOnlyForTheDefaultModelAndTheDefaultOnTheCpu() throws Exception {
        Path own = Files.createTempFile("own", ".onnx");
        try {
            assertThatThrownBy(() -> DetectorSettings.builder().modelPath(own).precision("int8").build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("precision int8: only the default model has an int8 build");
            assertThatThrownBy(() -> DetectorSettings.builder().precision("fp16").build())
                    .hasMessageContaining("precision fp16: choose auto, fp32 or int8");
            assertThat(DetectorSettings.builder().modelPath(own).precision("FP32").build().precision())
                    .isEqualTo(DetectorSettings.Precision.FP32);
            assertThat(DetectorSettings.builder().precision("fp32").build().precision()).isEqualTo(DetectorSettings.Precision.FP32);
            assertThat(DetectorSettings.defaults().precision()).as("auto, the default model on the CPU")
                    .isEqualTo(DetectorSettings.Precision.INT8);
            assertThat(DetectorSettings.builder().modelPath(own).build().precision()).as("auto, a model file")
                    .isEqualTo(DetectorSettings.Precision.FP32);
            assertThat(DetectorSettings.builder().device("gpu").build().precision()).as("auto, the default model on a GPU")
                    .isEqualTo(DetectorSettings.Precision.FP32);
        } finally {
            Files.delete(own);
        }
    }

    private static List<DetectedFace> confident(List<DetectedFace> faces) {
        return faces.stream().filter(f -> f.score() >= GoldenDetections.MIN_SCORE).toList();
    }

    /** The five landmark distances of each expected face to its best-overlapping actual face. */
    private static List<Double> landmarkDistances(String image, List<DetectedFace> expected, List<DetectedFace> actual) {
        List<Double> distances = new ArrayList<>();
        for (DetectedFace want : expected) {
            DetectedFace got = actual.stream().max((a, b) -> Float.compare(want.iou(a), want.iou(b))).orElseThrow();
            assertThat(want.iou(got)).as("%s: IoU of %s with %s", image, got, want).isGreaterThanOrEqualTo(MIN_IOU);
            for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
                distances.add(Math.hypot(got.landmarkX(p) - want.landmarkX(p), got.landmarkY(p) - want.landmarkY(p)));
            }
        }
        return distances;
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
}
