package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class FaceDetectorGoldenTest {

    private static FaceDetector detector;

    @BeforeAll
    static void loadModel() throws Exception {
        // The reference was made in fp32 with a 640x640 letterbox; the default fit:640 is compared with it in
        // AspectCanvasTest, the default int8 model with it in Int8ModelTest.
        detector = FaceDetector.load(DetectorSettings.builder().size("letterbox:640").precision("fp32").build());
    }

    @AfterAll
    static void closeModel() {
        detector.close();
    }

    @Test
    void defaultModelIsTheChecksummedNpmFile() {
        assertThat(detector.modelName()).isEqualTo("mnet.25_v2.onnx");
        assertThat(detector.modelSha256()).isEqualTo("cd1acf4887eff165497762346fcafbdec58f662a2ceb01e5edb979f54b9875b6");
    }

    @Test
    void agreesWithTheIndependentReferenceOnEveryTestImage() throws Exception {
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        assertThat(golden).hasSize(7);
        List<String> problems = new ArrayList<>();
        try (FaceDetector.Session session = detector.newSession()) {
            for (Map.Entry<String, GoldenDetections.Image> entry : golden.entrySet()) {
                byte[] bytes = Files.readAllBytes(GoldenDetections.testdata().resolve(entry.getKey()));
                ImageDetections result = session.detect(bytes, null);
                assertThat(result.width()).as(entry.getKey()).isEqualTo(entry.getValue().width());
                assertThat(result.height()).as(entry.getKey()).isEqualTo(entry.getValue().height());
                problems.addAll(GoldenDetections.disagreements(entry.getKey(), entry.getValue().faces(), result.faces()));
            }
        }
        assertThat(problems).isEmpty();
    }

    /** The default fit:640 pads less than the reference's letterbox, and otherwise sees the same image. */
    @Test
    void theDefaultSizeAgreesWithTheReferenceToo() throws Exception {
        List<String> problems = new ArrayList<>();
        try (FaceDetector defaults = FaceDetector.load(DetectorSettings.builder().precision("fp32").build()); FaceDetector.Session session = defaults.newSession()) {
            for (Map.Entry<String, GoldenDetections.Image> entry : GoldenDetections.load().entrySet()) {
                byte[] bytes = Files.readAllBytes(GoldenDetections.testdata().resolve(entry.getKey()));
                problems.addAll(GoldenDetections.disagreements(entry.getKey(), entry.getValue().faces(), session.detect(bytes, null).faces()));
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void coffeeHasNoFace() throws Exception {
        try (FaceDetector.Session session = detector.newSession()) {
            byte[] bytes = Files.readAllBytes(GoldenDetections.testdata().resolve("coffee.png"));
            assertThat(session.detect(bytes, "image/png").faces()).isEmpty();
        }
    }
}
