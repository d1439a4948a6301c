package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoopTranslator;
import java.io.ByteArrayInputStream;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class OnnxShapesTest {

    private static Model load(byte[] onnx) throws Exception {
        Model model = Model.newInstance("test", "OnnxRuntime");
        model.load(new ByteArrayInputStream(onnx), Map.of("intraOpNumThreads", "1"));
        return model;
    }

    private static NDList run(Model model, NDManager manager, float[] input, int height, int width) throws Exception {
        try (Predictor<NDList, NDList> predictor = model.newPredictor(new NoopTranslator())) {
            NDList outputs = predictor.predict(new NDList(manager.create(input, new Shape(1, 3, height, width))));
            outputs.attach(manager);
            return outputs;
        }
    }

    @Test
    void theFixedSizeDefaultModelRunsAtAnySizeAndIsUnchangedAtItsOwn() throws Exception {
        byte[] original = ModelFile.loadDefault().bytes();
        byte[] symbolic = OnnxShapes.withSymbolicSpatialDims(original);
        float[] input = new float[3 * 640 * 640];
        Random random = new Random(3);
        for (int i = 0; i < input.length; i++) {
            input[i] = random.nextInt(256);
        }
        try (NDManager manager = NDManager.newBaseManager();
             Model fixed = load(original);
             Model resizable = load(symbolic)) {
            NDList expected = run(fixed, manager, input, 640, 640);
            NDList actual = run(resizable, manager, input, 640, 640);
            assertThat(actual).hasSize(9);
            for (NDArray want : expected) {
                NDArray got = actual.get(want.getName());
                assertThat(got.getShape()).isEqualTo(want.getShape());
                assertThat(got.toFloatArray()).as(want.getName()).containsExactly(want.toFloatArray());
            }

            NDList large = run(resizable, manager, new float[3 * 1088 * 1920], 1088, 1920);
            assertThat(large.get("face_rpn_cls_prob_reshape_stride8").getShape()).isEqualTo(new Shape(1, 4, 136, 240));
            assertThat(large.get("face_rpn_landmark_pred_stride32").getShape()).isEqualTo(new Shape(1, 20, 34, 60));
        }
    }
}
