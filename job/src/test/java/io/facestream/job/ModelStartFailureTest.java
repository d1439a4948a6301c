package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.throwable.ThrowableClassifier;
import org.apache.flink.runtime.throwable.ThrowableType;
import org.junit.jupiter.api.Test;

class ModelStartFailureTest {

    @Test
    void stopsTheJobInsteadOfRestartingAndKeepsTheCause() {
        IOException cause = new IOException("Could not load the ONNX model x.onnx: not a protobuf");
        SuppressRestartsException failure = ModelStartFailure.of(3, cause);
        assertThat(ThrowableClassifier.getThrowableType(failure)).isEqualTo(ThrowableType.NonRecoverableError);
        assertThat(failure.getCause()).hasMessageStartingWith("FaceStream subtask 3 could not start its model: "
                + "Could not load the ONNX model x.onnx: not a protobuf").hasCause(cause);
    }

    @Test
    void namesTheClassloaderFixWhenAnEarlierJobOwnsOnnxRuntimesEnvironment() {
        // What a second job on a TaskManager saw with DJL in the job jar and ONNX Runtime in lib/.
        Throwable first = new RuntimeException("open failed", new ExceptionInInitializerError(new IllegalStateException(
                "Tried to specify the thread pool when creating an OrtEnvironment, but one already exists.")));
        Throwable later = new NoClassDefFoundError(
                "Could not initialize class ai.djl.onnxruntime.engine.OrtEngineProvider$InstanceHolder");
        for (Throwable seen : new Throwable[] {first, later}) {
            assertThat(ModelStartFailure.ortEnvironmentOwnedByAnotherJob(seen)).isTrue();
            assertThat(ModelStartFailure.describe(seen)).contains("deploy/flink-lib/pom.xml")
                    .contains("classloader.parent-first-patterns.additional");
        }
        assertThat(ModelStartFailure.ortEnvironmentOwnedByAnotherJob(new IOException("model file missing"))).isFalse();
    }

    @Test
    void describesACauseWithoutMessageByItsType() {
        assertThat(ModelStartFailure.describe(new RuntimeException(new UnsatisfiedLinkError()))).isEqualTo(
                "java.lang.UnsatisfiedLinkError");
    }
}
