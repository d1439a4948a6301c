package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The biubug6 layout with the seed's pre-processing gives the seed's own detections: the
 * reference was made by the original PyTorch code (../shared/golden/b6_mnet025_original.json).
 */
@Timeout(120)
class SeedParityTest {

    @Test
    void biubug6ModelWithSeedSizeMatchesTheOriginalImplementation() throws Exception {
        Path shared = GoldenDetections.shared();
        assumeTrue(shared != null, "../shared/ is absent: the biubug6 test model and its reference live there");
        Path model = shared.resolve("models/retinaface_mnet025_biubug6.onnx");
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load(shared.resolve("golden/b6_mnet025_original.json"));
        DetectorSettings settings = DetectorSettings.builder().modelPath(model).modelType("biubug6-1mb-mnet025")
                .size("seed").scoreThreshold(GoldenDetections.MIN_SCORE).build();
        assertThat(settings.nmsThreshold()).isEqualTo(0.4f);

        List<String> problems = new ArrayList<>();
        int faces = 0;
        try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
            for (Map.Entry<String, GoldenDetections.Image> entry : golden.entrySet()) {
                ImageDetections result = session.detect(Files.readAllBytes(shared.resolve("testdata").resolve(entry.getKey())), null);
                faces += result.faces().size();
                problems.addAll(GoldenDetections.disagreements(entry.getKey(), entry.getValue().faces(), result.faces(),
                        GoldenDetections.SEED_PARITY));
            }
        }
        assertThat(problems).isEmpty();
        assertThat(faces).isEqualTo(10);
    }

    @Test
    void theSeedProfileKeepsOnlyConfidentFaces() throws Exception {
        Path shared = GoldenDetections.shared();
        assumeTrue(shared != null, "../shared/ is absent: the biubug6 test model lives there");
        DetectorSettings seed = DetectorSettings.builder().modelPath(shared.resolve("models/retinaface_mnet025_biubug6.onnx"))
                .modelType("biubug6-1mb-mnet025").scoreThreshold("model").build();
        assertThat(seed.scoreThreshold()).isEqualTo(0.9f);
        assertThat(seed.size().toString()).isEqualTo("seed");
        try (FaceDetector detector = FaceDetector.load(seed); FaceDetector.Session session = detector.newSession()) {
            // The reference finds one face of score 0.77 in coffee.png; the seed pipeline's 0.9 drops it.
            assertThat(session.detect(Files.readAllBytes(shared.resolve("testdata/coffee.png")), null).faces()).isEmpty();
        }
    }
}
