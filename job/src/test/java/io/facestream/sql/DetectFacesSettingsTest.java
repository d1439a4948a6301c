package io.facestream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.DetectorSettings;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class DetectFacesSettingsTest {

    private static DetectFacesSettings fromConfig(Map<String, String> options) {
        return DetectFacesSettings.fromConfig(Configuration.fromMap(options));
    }

    @Test
    void noOptionsGiveTheJobsDefaults() {
        DetectFacesSettings settings = fromConfig(Map.of());
        assertThat(settings.detector().modelPath()).isNull();
        assertThat(settings.detector().model().name).isEqualTo("insightface-mnet025-v2");
        assertThat(settings.detector().scoreThreshold()).isEqualTo(0.5f);
        assertThat(settings.detector().gpu()).isEqualTo(-1);
        assertThat(settings.inferenceThreads()).isEqualTo(1);
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void optionsAreNamedAfterTheJobsFlags() {
        DetectFacesSettings settings = fromConfig(Map.of(
                "facestream.score-threshold", "0.7",
                "facestream.nms-threshold", "0.3",
                "facestream.size", "fit:832",
                "facestream.max-image-bytes", "1000",
                "facestream.max-image-pixels", "2000",
                "facestream.device", "gpu:1",
                "facestream.inference-threads", "3",
                "facestream.timeout", "5 s"));
        assertThat(settings.detector().scoreThreshold()).isEqualTo(0.7f);
        assertThat(settings.detector().nmsThreshold()).isEqualTo(0.3f);
        assertThat(settings.detector().size().plans(1664, 832)).hasSize(1);
        assertThat(settings.detector().size().plans(1664, 832).get(0).scale()).isEqualTo(0.5f);
        assertThat(settings.detector().maxImageBytes()).isEqualTo(1000);
        assertThat(settings.detector().maxImagePixels()).isEqualTo(2000);
        assertThat(settings.detector().gpu()).isEqualTo(1);
        assertThat(settings.inferenceThreads()).isEqualTo(3);
        assertThat(settings.timeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void precisionIsAnOptionAndInt8IsOnlyForTheDefaultModel() {
        assertThat(fromConfig(Map.of()).detector().precision()).isEqualTo(DetectorSettings.Precision.INT8);
        assertThat(fromConfig(Map.of("facestream.precision", "fp32")).detector().precision())
                .isEqualTo(DetectorSettings.Precision.FP32);
        assertThat(fromConfig(Map.of("facestream.model", "pom.xml")).detector().precision())
                .isEqualTo(DetectorSettings.Precision.FP32);
        assertThatThrownBy(() -> fromConfig(Map.of("facestream.precision", "int4")))
                .hasMessageContaining("facestream.precision int4: choose auto, fp32 or int8");
        assertThatThrownBy(() -> fromConfig(Map.of("facestream.precision", "int8", "facestream.model", "pom.xml")))
                .hasMessageContaining("facestream.precision int8: only the default model has an int8 build")
                .hasMessageNotContaining("--");
    }

    @Test
    void scoreThresholdModelMeansTheModelTypesOwn() {
        DetectFacesSettings settings = fromConfig(Map.of("facestream.score-threshold", "model"));
        assertThat(settings.detector().scoreThreshold()).isEqualTo(settings.detector().model().scoreThreshold);
    }

    @Test
    void everyBadOptionIsNamedInOneMessage() {
        assertThatThrownBy(() -> fromConfig(Map.of(
                "facestream.score-threshold", "high",
                "facestream.inference-threads", "many",
                "facestream.timeout", "0 s",
                "facestream.size", "stretch",
                "facestream.model", "/nonexistent/model.onnx")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid FaceStream settings for detect_faces:")
                .hasMessageContaining("facestream.score-threshold 'high': give a number between 0 and 1, or 'model'")
                .hasMessageContaining("facestream.inference-threads: ")
                .hasMessageContaining("facestream.timeout PT0S: must be positive")
                .hasMessageContaining("facestream.size stretch")
                .hasMessageContaining("facestream.model /nonexistent/model.onnx: no such file")
                .hasMessageNotContaining("--")
                .hasMessageContaining("SET 'facestream.<option>'");
    }

    @Test
    void theRemovedMaxBatchOptionFailsSayingItWasRemoved() {
        assertThatThrownBy(() -> fromConfig(Map.of("facestream.max-batch", "4")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("facestream.max-batch 4: removed, with micro-batching")
                .hasMessageNotContaining("--");
    }

    @Test
    void theOwnTimeoutMustEndBeforeFlinksAsyncTimeout() {
        DetectFacesSettings settings = fromConfig(Map.of("facestream.timeout", "1 min"));
        settings.checkWithin(Configuration.fromMap(Map.of()));
        assertThatThrownBy(() -> settings.checkWithin(Configuration.fromMap(Map.of("table.exec.async-table.timeout", "1 min"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("facestream.timeout (60000 ms) must be below table.exec.async-table.timeout (60000 ms)");
    }
}
