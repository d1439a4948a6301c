package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The v1 export of the same npm package (fixed 512x512, landmark deltas not scaled) finds the
 * faces the v2 reference finds, with landmarks in the same places: a check of its description.
 */
@Timeout(60)
class InsightfaceV1Test {

    @Test
    void v1FindsTheReferenceFacesWithItsOwnDescription() throws Exception {
        Path model = Path.of(System.getProperty("facestream.testModels", "target/test-models")).resolve("mnet.25_v1.onnx");
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        DetectorSettings settings = DetectorSettings.builder().modelPath(model).modelType("insightface-mnet025-v1").build();
        assertThat(settings.size().toString()).isEqualTo("letterbox:512");
        try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
            for (Map.Entry<String, GoldenDetections.Image> entry : golden.entrySet()) {
                List<DetectedFace> faces = session.detect(Files.readAllBytes(GoldenDetections.testdata().resolve(entry.getKey())), null).faces();
                List<DetectedFace> expected = entry.getValue().faces();
                assertThat(faces).as(entry.getKey()).hasSameSizeAs(expected);
                for (DetectedFace want : expected) {
                    DetectedFace got = faces.stream().max((a, b) -> Float.compare(want.iou(a), want.iou(b))).orElseThrow();
                    float faceSize = want.x2() - want.x1();
                    assertThat(want.iou(got)).as(entry.getKey()).isGreaterThan(0.7f);
                    for (int p = 0; p < 5; p++) {
                        double distance = Math.hypot(got.landmarkX(p) - want.landmarkX(p), got.landmarkY(p) - want.landmarkY(p));
                        assertThat(distance).as("%s landmark %d", entry.getKey(), p).isLessThan(0.1 * faceSize);
                    }
                }
            }
        }
    }
}
