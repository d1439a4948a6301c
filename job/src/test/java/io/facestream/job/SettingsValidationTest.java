package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.DetectorSettings;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SettingsValidationTest {

    @Test
    void kafkaSettingsNameEveryProblem() {
        assertThatThrownBy(() -> KafkaSettings.builder().inputTopic("t").outputTopic("t")
                .transactionTimeout(Duration.ofMinutes(20)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--bootstrap-servers is required")
                .hasMessageContaining("--input-topic t must differ")
                .hasMessageContaining("transaction.max.timeout.ms");
    }

    @Test
    void detectorSettingsRejectBadValues() {
        assertThatThrownBy(() -> DetectorSettings.builder().scoreThreshold(1.5f).modelPath(Path.of("/nonexistent.onnx")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--score-threshold 1.5")
                .hasMessageContaining("--model /nonexistent.onnx: no such file");
    }

    @Test
    void detectionSettingsRejectBadValues() {
        assertThatThrownBy(() -> FaceDetectionSettings.builder().inferenceThreads(0).timeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--inference-threads 0")
                .hasMessageContaining("--timeout");
    }
}
