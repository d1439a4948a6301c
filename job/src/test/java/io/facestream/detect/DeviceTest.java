package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DeviceTest {

    @Test
    void gpuIsAFlagAndFallsBackToTheCpuWithoutOne() {
        assertThat(DetectorSettings.defaults().gpu()).isEqualTo(-1);
        assertThat(DetectorSettings.builder().device("gpu").build().gpu()).isZero();
        assertThat(DetectorSettings.builder().device("gpu:1").build().gpu()).isEqualTo(1);
        assertThatThrownBy(() -> DetectorSettings.builder().device("tpu").build()).hasMessageContaining("device tpu: choose cpu, gpu or gpu:N");
        // This machine has no GPU (and the default build carries the CPU-only ONNX Runtime).
        assertThat(FaceDetector.device(DetectorSettings.builder().device("gpu").build())).isEqualTo(Device.cpu());
        assertThat(FaceDetector.device(DetectorSettings.defaults())).isEqualTo(Device.cpu());
    }
}
