package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The QDQ graph Int8Quantizer makes of the default model, and what ONNX Runtime makes of it. */
@Timeout(120)
class Int8QuantizerTest {

    private static ModelProto fp32;
    private static ModelProto int8;

    @TempDir
    Path tmp;

    @BeforeAll
    static void quantize() throws Exception {
        fp32 = ModelProto.parseFrom(ModelFile.loadDefault().bytes());
        List<Int8Quantizer.Input> calibration = BuildInt8Model.calibrationInputs(GoldenDetections.testdata(),
                ModelDescriptor.preset(ModelDescriptor.DEFAULT_PRESET));
        int8 = Int8Quantizer.quantize(fp32, calibration.subList(0, 2), Int8Quantizer.Options.DEFAULT);
    }

    @Test
    void everyConvolutionHasInt8WeightsWithOneSymmetricScalePerOutputChannel() {
        GraphProto graph = int8.getGraph();
        Map<String, TensorProto> initializers = graph.getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, Function.identity()));
        Map<String, TensorProto> floatInitializers = fp32.getGraph().getInitializerList().stream()
                .collect(Collectors.toMap(TensorProto::getName, Function.identity()));
        Map<String, NodeProto> producers = new HashMap<>();
        Map<String, List<NodeProto>> consumers = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            node.getOutputList().forEach(output -> producers.put(output, node));
            node.getInputList().forEach(input -> consumers.computeIfAbsent(input, k -> new java.util.ArrayList<>()).add(node));
        }
        assertThat(int8.getOpsetImport(0).getVersion()).isEqualTo(13);
        assertThat(opCount(graph, "BatchNormalization")).isZero();
        assertThat(opCount(graph, "Relu")).as("Relus become zero points").isZero();
        List<NodeProto> convs = graph.getNodeList().stream().filter(n -> n.getOpType().equals("Conv")).toList();
        assertThat(convs).hasSize((int) opCount(fp32.getGraph(), "Conv")).hasSize(56);

        for (NodeProto conv : convs) {
            NodeProto weightDq = producers.get(conv.getInput(1));
            assertThat(weightDq.getOpType()).as(conv.getName()).isEqualTo("DequantizeLinear");
            assertThat(intAttribute(weightDq, "axis")).isZero();
            TensorProto weights = initializers.get(weightDq.getInput(0));
            TensorProto scales = initializers.get(weightDq.getInput(1));
            TensorProto zeroPoints = initializers.get(weightDq.getInput(2));
            assertThat(weights.getDataType()).isEqualTo(TensorProto.DataType.INT8_VALUE);
            String floatName = conv.getInput(1).replace("_dequantized", "");
            assertThat(weights.getDimsList()).isEqualTo(floatInitializers.get(floatName).getDimsList());
            int channels = (int) weights.getDims(0);
            assertThat(scales.getDimsList()).as("one scale per output channel of " + conv.getName()).containsExactly((long) channels);
            assertThat(zeroPoints.getDataType()).isEqualTo(TensorProto.DataType.INT8_VALUE);
            assertThat(zeroPoints.getRawData().toByteArray()).as("symmetric").containsOnly(0);
            byte[] q = weights.getRawData().toByteArray();
            int perChannel = q.length / channels;
            for (int c = 0; c < channels; c++) {
                int absMax = 0;
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                    absMax = Math.max(absMax, Math.abs(q[i]));
                }
                // 7 bits: two uint8 x weight products must fit vpmaddubsw's int16 (255 * 63 * 2 <= 32767)
                assertThat(absMax).as("%s channel %d uses the whole 7-bit range", conv.getName(), c).isEqualTo(63);
            }

            NodeProto inputDq = producers.get(conv.getInput(0));
            assertThat(inputDq.getOpType()).as(conv.getName()).isEqualTo("DequantizeLinear");
            assertThat(producers.get(inputDq.getInput(0)).getOpType()).isEqualTo("QuantizeLinear");
            TensorProto inputZero = initializers.get(inputDq.getInput(2));
            assertThat(inputZero.getDataType()).isEqualTo(TensorProto.DataType.UINT8_VALUE);
            float inputScale = Int8Quantizer.floats(initializers.get(inputDq.getInput(1)))[0];

            NodeProto biasDq = producers.get(conv.getInput(2));
            assertThat(initializers.get(biasDq.getInput(0)).getDataType()).isEqualTo(TensorProto.DataType.INT32_VALUE);
            float[] weightScales = Int8Quantizer.floats(scales);
            float[] biasScales = Int8Quantizer.floats(initializers.get(biasDq.getInput(1)));
            for (int c = 0; c < channels; c++) {
                assertThat(biasScales[c]).isCloseTo(inputScale * weightScales[c], org.assertj.core.api.Assertions.withinPercentage(0.001));
            }
            assertThat(consumers.get(conv.getOutput(0))).as("only a QuantizeLinear reads " + conv.getName())
                    .singleElement().satisfies(n -> assertThat(n.getOpType()).isEqualTo("QuantizeLinear"));
        }
    }

    @Test
    void theHeadsKeepTheirNamesAndFloatOutputs() {
        assertThat(int8.getGraph().getOutputList()).extracting(v -> v.getName())
                .containsExactlyElementsOf(fp32.getGraph().getOutputList().stream().map(v -> v.getName()).toList());
        Map<String, NodeProto> producers = new HashMap<>();
        int8.getGraph().getNodeList().forEach(node -> node.getOutputList().forEach(output -> producers.put(output, node)));
        assertThat(int8.getGraph().getOutputList()).allSatisfy(output -> assertThat(producers.get(output.getName()).getOpType())
                .isIn("DequantizeLinear", "Reshape"));
    }

    @Test
    void onnxRuntimeRunsEveryConvolutionAsAnIntegerKernel() throws Exception {
        Path optimized = tmp.resolve("optimized.onnx");
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.EXTENDED_OPT);
            options.setOptimizedModelFilePath(optimized.toString());
            options.setIntraOpNumThreads(1);
            try (OrtSession session = OrtEnvironment.getEnvironment().createSession(int8.toByteArray(), options)) {
                assertThat(session.getOutputNames()).hasSize(9);
            }
        }
        GraphProto graph = ModelProto.parseFrom(Files.readAllBytes(optimized)).getGraph();
        assertThat(opCount(graph, "QLinearConv")).isEqualTo(56);
        assertThat(opCount(graph, "Conv")).isZero();
        assertThat(opCount(graph, "QLinearAdd")).isEqualTo(2);
        assertThat(opCount(graph, "QLinearConcat")).isEqualTo(3);
        // What stays in float: one DequantizeLinear per model output, the image's QuantizeLinear, which
        // also does the model's own input normalisation.
        assertThat(opCount(graph, "DequantizeLinear")).isEqualTo(9);
        assertThat(opCount(graph, "QuantizeLinear")).isEqualTo(1);
        assertThat(opCount(graph, "Sub") + opCount(graph, "Mul")).isZero();
    }

    private static long opCount(GraphProto graph, String opType) {
        return graph.getNodeList().stream().filter(n -> n.getOpType().equals(opType)).count();
    }

    private static long intAttribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).mapToLong(AttributeProto::getI)
                .findFirst().orElseThrow();
    }
}
