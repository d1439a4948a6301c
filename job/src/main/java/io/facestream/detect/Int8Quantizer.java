package io.facestream.detect;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Static int8 quantization of a convolutional ONNX model in the QDQ format, the form ONNX Runtime
 * turns into integer kernels (QLinearConv, QLinearAdd, QLinearConcat) when it loads the model.
 * Batch normalisations are folded into the convolutions first, so that a convolution's weights are
 * the ones it multiplies with. Weights are int8, symmetric, with one scale per output channel (one
 * scale per tensor costs the thin depthwise and head filters most of their precision); activations
 * are uint8 with the range seen on calibration inputs. A Relu after a quantized operator is
 * dropped: its output's zero point 0 clamps negatives the same way, and ONNX Runtime would
 * otherwise keep the Relu in float between two integer kernels. Nearest resizes and slices keep
 * their input's scale, so that they run on the 8-bit values, and a Shape reads the 8-bit tensor
 * (same shape, no dequantization). A graph that normalises 8-bit pixels itself ({@code (x - a) * b},
 * the default model) gets its first QuantizeLinear on the raw pixels instead, scale 1, which keeps
 * them exactly, dequantized with scale b and zero point round(a); the convolutions that read them
 * add the rest, (round(a) - a) * b times their weights' sum, to their bias. That saves two float
 * passes over the image (a tenth of the int8 model's time) and loses nothing of the input.
 *
 * <p>The heads are quantized too, their float outputs dequantized from 8 bits: on the default model
 * that holds the landmarks within a pixel at the median and WIDER FACE AP within 0.7
 * (BENCHMARKS.md). Keeping them in float does not keep them exact anyway: ONNX Runtime (1.21)
 * quantizes the float weights of a convolution that reads a dequantized tensor itself, with one
 * scale per tensor, and then runs it as a float convolution behind three DequantizeLinear nodes.
 */
public final class Int8Quantizer {

    /** Which convolutions stay in float: the first (reading the image), the last (the heads). */
    public record Options(boolean floatFirstConv, boolean floatLastConvs) {
        public static final Options DEFAULT = new Options(false, false);
    }

    /** The smallest and largest value a tensor took over the calibration inputs. */
    public record Range(float min, float max) {
        Range union(Range other) {
            return other == null ? this : new Range(Math.min(min, other.min), Math.max(max, other.max));
        }
    }

    /** One calibration input: N x C x H x W floats, as the detector feeds the model. */
    public record Input(FloatBuffer data, long[] shape) {}

    /** QDQ with per-channel scales (the axis attribute) needs opset 13. */
    static final int OPSET = 13;
    private static final Set<String> QUANTIZED_OPS = Set.of("Conv", "Add", "Concat");
    /** Operators that move values without changing them: their output keeps the input's scale. */
    private static final Set<String> VALUE_PRESERVING_OPS = Set.of("Resize", "Slice", "Reshape", "Transpose");

    private final GraphProto graph;
    private final Options options;
    private final Map<String, TensorProto> initializers = new LinkedHashMap<>();
    private final Map<String, NodeProto> producers = new HashMap<>();
    private final Map<String, List<NodeProto>> consumers = new HashMap<>();
    private final Set<String> graphOutputs = new HashSet<>();
    /** Relu output name to the tensor that replaces it (the Relu's input). */
    private final Map<String, String> aliases = new HashMap<>();
    private final Set<NodeProto> droppedRelus = new HashSet<>();
    private final Set<NodeProto> floatConvs = new HashSet<>();
    /** Tensors carried as uint8 between operators, in graph order. */
    private final Set<String> quantized = new LinkedHashSet<>();
    /** A quantized tensor whose scale and zero point are another one's. */
    private final Map<String, String> sharesParamsWith = new HashMap<>();
    /** A quantized tensor whose range is measured on another tensor (a dropped Relu's output). */
    private final Map<String, String> rangeOf = new HashMap<>();
    /** The graph's own input normalisation, done by the first QuantizeLinear instead; null where there is none. */
    private Normalization normalization;

    /** {@code output = (input - subtract) * multiply}, by a Sub and a Mul of scalars. */
    private record Normalization(String input, NodeProto sub, NodeProto mul, String output, float subtract, float multiply) {}

    private Int8Quantizer(ModelProto folded, Options options) {
        this.graph = folded.getGraph();
        this.options = options;
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        for (NodeProto node : graph.getNodeList()) {
            node.getOutputList().forEach(output -> producers.put(output, node));
            node.getInputList().forEach(input -> consumers.computeIfAbsent(input, k -> new ArrayList<>()).add(node));
        }
        graph.getOutputList().forEach(output -> graphOutputs.add(output.getName()));
        plan();
    }

    /**
     * The quantized model, calibrated on the inputs: BN folded, opset 13, QDQ. Deterministic for
     * one model, one set of inputs and one ONNX Runtime build.
     */
    public static ModelProto quantize(ModelProto fp32, List<Input> calibration, Options options) throws OrtException {
        ModelProto folded = foldBatchNorms(fp32);
        Int8Quantizer quantizer = new Int8Quantizer(folded, options);
        Map<String, Range> ranges = calibrate(folded, quantizer.tensorsToCalibrate(), calibration);
        return quantizer.quantize(folded, ranges);
    }

    // ---- batch normalisation folding ----

    /** The model with every BatchNormalization that alone reads a Conv's output folded into that Conv, at opset 13. */
    static ModelProto foldBatchNorms(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = new LinkedHashMap<>();
        graph.getInitializerList().forEach(t -> initializers.put(t.getName(), t));
        Map<String, Integer> readers = new HashMap<>();
        Map<String, NodeProto> producers = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            node.getInputList().forEach(input -> readers.merge(input, 1, Integer::sum));
            node.getOutputList().forEach(output -> producers.put(output, node));
        }
        Set<String> graphOutputs = new HashSet<>();
        graph.getOutputList().forEach(output -> graphOutputs.add(output.getName()));

        Map<NodeProto, NodeProto> foldedConvs = new HashMap<>();
        Set<NodeProto> foldedNorms = new HashSet<>();
        for (NodeProto norm : graph.getNodeList()) {
            if (!norm.getOpType().equals("BatchNormalization")) {
                continue;
            }
            NodeProto conv = producers.get(norm.getInput(0));
            if (conv == null || !conv.getOpType().equals("Conv") || readers.get(norm.getInput(0)) != 1
                    || graphOutputs.contains(norm.getInput(0)) || readers.getOrDefault(conv.getInput(1), 0) != 1
                    || conv.getInputCount() > 2 && readers.getOrDefault(conv.getInput(2), 0) != 1) {
                continue;
            }
            float[] weights = floats(initializers.get(conv.getInput(1)));
            float[] gamma = floats(initializers.get(norm.getInput(1)));
            float[] beta = floats(initializers.get(norm.getInput(2)));
            float[] mean = floats(initializers.get(norm.getInput(3)));
            float[] variance = floats(initializers.get(norm.getInput(4)));
            if (weights == null || gamma == null || beta == null || mean == null || variance == null) {
                continue;
            }
            int channels = gamma.length;
            float[] bias = conv.getInputCount() > 2 ? floats(initializers.get(conv.getInput(2))) : new float[channels];
            if (bias == null) {
                continue;
            }
            float epsilon = floatAttribute(norm, "epsilon", 1e-5f);
            int perChannel = weights.length / channels;
            float[] newBias = new float[channels];
            for (int c = 0; c < channels; c++) {
                double factor = gamma[c] / Math.sqrt((double) variance[c] + epsilon);
                for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                    weights[i] = (float) (weights[i] * factor);
                }
                newBias[c] = (float) ((bias[c] - mean[c]) * factor + beta[c]);
            }
            String weightName = conv.getInput(1);
            String biasName = conv.getInputCount() > 2 ? conv.getInput(2) : conv.getName() + "_bias";
            initializers.put(weightName, floatTensor(weightName, initializers.get(weightName).getDimsList(), weights));
            initializers.put(biasName, floatTensor(biasName, List.of((long) channels), newBias));
            NodeProto.Builder folded = conv.toBuilder().setOutput(0, norm.getOutput(0));
            if (conv.getInputCount() > 2) {
                folded.setInput(2, biasName);
            } else {
                folded.addInput(biasName);
            }
            foldedConvs.put(conv, folded.build());
            foldedNorms.add(norm);
        }
        Set<String> stillRead = new HashSet<>();
        GraphProto.Builder newGraph = graph.toBuilder().clearNode().clearInitializer().clearValueInfo();
        for (NodeProto node : graph.getNodeList()) {
            if (!foldedNorms.contains(node)) {
                NodeProto kept = foldedConvs.getOrDefault(node, node);
                newGraph.addNode(kept);
                stillRead.addAll(kept.getInputList());
            }
        }
        initializers.values().stream().filter(t -> stillRead.contains(t.getName())).forEach(newGraph::addInitializer);
        return withOpset(model.toBuilder().setGraph(newGraph).build());
    }

    private static ModelProto withOpset(ModelProto model) {
        ModelProto.Builder builder = model.toBuilder().clearOpsetImport();
        boolean found = false;
        for (OperatorSetIdProto opset : model.getOpsetImportList()) {
            if (opset.getDomain().isEmpty() || opset.getDomain().equals("ai.onnx")) {
                builder.addOpsetImport(opset.toBuilder().setVersion(Math.max(OPSET, opset.getVersion())));
                found = true;
            } else {
                builder.addOpsetImport(opset);
            }
        }
        if (!found) {
            builder.addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET));
        }
        return builder.build();
    }

    // ---- which tensors become 8-bit ----

    private void plan() {
        Set<NodeProto> firstConvs = new HashSet<>();
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Conv") && !reachesConv(node.getInput(0), true, new HashSet<>())) {
                firstConvs.add(node);
            }
        }
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Conv")) {
                boolean last = !reachesConv(node.getOutput(0), false, new HashSet<>());
                if (options.floatFirstConv() && firstConvs.contains(node) || options.floatLastConvs() && last) {
                    floatConvs.add(node);
                }
            }
        }
        for (NodeProto relu : graph.getNodeList()) {
            if (!relu.getOpType().equals("Relu")) {
                continue;
            }
            String input = relu.getInput(0);
            NodeProto producer = producers.get(input);
            if (producer != null && isQuantizedOp(producer) && consumers.get(input).size() == 1
                    && !graphOutputs.contains(input) && !graphOutputs.contains(relu.getOutput(0))) {
                droppedRelus.add(relu);
                aliases.put(relu.getOutput(0), input);
                rangeOf.put(input, relu.getOutput(0));
            }
        }
        for (NodeProto node : graph.getNodeList()) {
            if (!isQuantizedOp(node)) {
                continue;
            }
            List<String> activations = node.getOpType().equals("Conv") ? List.of(node.getInput(0)) : node.getInputList();
            for (String input : activations) {
                String name = alias(input);
                if (!initializers.containsKey(name) && !name.isEmpty()) {
                    quantized.add(name);
                }
            }
            quantized.add(node.getOutput(0));
        }
        normalization = findNormalization();
        for (NodeProto node : graph.getNodeList()) {
            if (VALUE_PRESERVING_OPS.contains(node.getOpType()) && quantized.contains(alias(node.getInput(0)))
                    && (!node.getOpType().equals("Resize") || stringAttribute(node, "mode", "nearest").equals("nearest"))) {
                String output = node.getOutput(0);
                quantized.add(output);
                String source = alias(node.getInput(0));
                sharesParamsWith.put(output, sharesParamsWith.getOrDefault(source, source));
            }
        }
    }

    private Normalization findNormalization() {
        for (ai.onnx.proto.OnnxMl.ValueInfoProto value : graph.getInputList()) {
            String input = value.getName();
            List<NodeProto> readers = consumers.getOrDefault(input, List.of());
            if (initializers.containsKey(input) || readers.size() != 1 || !readers.get(0).getOpType().equals("Sub")
                    || !readers.get(0).getInput(0).equals(input)) {
                continue;
            }
            NodeProto sub = readers.get(0);
            List<NodeProto> next = consumers.getOrDefault(sub.getOutput(0), List.of());
            if (next.size() != 1 || !next.get(0).getOpType().equals("Mul") || !next.get(0).getInput(0).equals(sub.getOutput(0))) {
                continue;
            }
            NodeProto mul = next.get(0);
            float[] a = floats(initializers.get(sub.getInput(1)));
            float[] b = floats(initializers.get(mul.getInput(1)));
            if (a != null && b != null && a.length == 1 && b.length == 1 && a[0] > 0 && b[0] > 0
                    && quantized.contains(mul.getOutput(0)) && !graphOutputs.contains(mul.getOutput(0))) {
                return new Normalization(input, sub, mul, mul.getOutput(0), a[0], b[0]);
            }
        }
        return null;
    }

    private boolean isQuantizedOp(NodeProto node) {
        return QUANTIZED_OPS.contains(node.getOpType()) && !floatConvs.contains(node);
    }

    private String alias(String name) {
        return aliases.getOrDefault(name, name);
    }

    /** Whether a Conv produces {@code tensor}, or feeds it through other nodes ({@code upstream}), or reads it ({@code !upstream}). */
    private boolean reachesConv(String tensor, boolean upstream, Set<String> seen) {
        if (!seen.add(tensor)) {
            return false;
        }
        NodeProto producer = producers.get(tensor);
        List<NodeProto> neighbours = !upstream ? consumers.getOrDefault(tensor, List.of())
                : producer == null ? List.of() : List.of(producer);
        for (NodeProto node : neighbours) {
            if (node.getOpType().equals("Conv")) {
                return true;
            }
            for (String next : upstream ? node.getInputList() : node.getOutputList()) {
                if (reachesConv(next, upstream, seen)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The tensors whose ranges set the scales, named as in the folded float model. */
    Set<String> tensorsToCalibrate() {
        Set<String> tensors = new LinkedHashSet<>();
        for (String name : quantized) {
            if (!sharesParamsWith.containsKey(name)) {
                tensors.add(rangeOf.getOrDefault(name, name));
            }
        }
        return tensors;
    }

    // ---- calibration ----

    /** The range of each tensor over the inputs, from ONNX Runtime running the float model with those tensors as outputs. */
    static Map<String, Range> calibrate(ModelProto model, Set<String> tensors, List<Input> inputs) throws OrtException {
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Set<String> outputs = new HashSet<>();
        graph.getOutputList().forEach(output -> outputs.add(output.getName()));
        for (String tensor : tensors) {
            if (outputs.add(tensor)) {
                graph.addOutput(ValueInfoProto.newBuilder().setName(tensor).setType(TypeProto.newBuilder()
                        .setTensorType(TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE))));
            }
        }
        byte[] probe = OnnxShapes.withSymbolicSpatialDims(model.toBuilder().setGraph(graph).build().toByteArray());
        String inputName = model.getGraph().getInput(0).getName();
        Map<String, Range> ranges = new HashMap<>();
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions()) {
            sessionOptions.setIntraOpNumThreads(1);
            try (OrtSession session = environment.createSession(probe, sessionOptions)) {
                for (Input input : inputs) {
                    ranges.put(inputName, range(input.data().duplicate()).union(ranges.get(inputName)));
                    try (OnnxTensor tensor = OnnxTensor.createTensor(environment, input.data(), input.shape());
                         OrtSession.Result result = session.run(Map.of(inputName, tensor), tensors)) {
                        for (String name : tensors) {
                            FloatBuffer values = ((OnnxTensor) result.get(name).orElseThrow()).getFloatBuffer();
                            ranges.put(name, range(values).union(ranges.get(name)));
                        }
                    }
                }
            }
        }
        return ranges;
    }

    private static Range range(FloatBuffer values) {
        float min = Float.POSITIVE_INFINITY;
        float max = Float.NEGATIVE_INFINITY;
        while (values.hasRemaining()) {
            float v = values.get();
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        return new Range(min, max);
    }

    // ---- the QDQ graph ----

    private record Params(String scale, String zeroPoint) {}

    private ModelProto quantize(ModelProto folded, Map<String, Range> ranges) {
        GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
        Map<String, TensorProto> newInitializers = new LinkedHashMap<>(initializers);
        Map<String, Params> params = new HashMap<>();
        Map<String, Float> scales = new HashMap<>();
        for (String name : quantized) {
            if (sharesParamsWith.containsKey(name)) {
                continue;
            }
            Range range = ranges.get(rangeOf.getOrDefault(name, name));
            if (range == null) {
                throw new IllegalStateException("no calibration range for " + name);
            }
            float min = rangeOf.containsKey(name) ? 0 : Math.min(0, range.min());
            float max = Math.max(0, range.max());
            float scale = max > min ? (max - min) / 255f : 1f;
            int zeroPoint = Math.max(0, Math.min(255, Math.round(-min / scale)));
            Params p = new Params(name + "_scale", name + "_zero_point");
            newInitializers.put(p.scale(), floatTensor(p.scale(), List.of(), new float[] {scale}));
            newInitializers.put(p.zeroPoint(), uint8Scalar(p.zeroPoint(), zeroPoint));
            params.put(name, p);
            scales.put(name, scale);
        }
        Params inputParams = null;
        float inputOffset = 0;
        Range raw = normalization == null ? null : ranges.get(normalization.input());
        int zeroPoint = normalization == null ? -1 : Math.round(normalization.subtract());
        if (raw != null && raw.min() >= 0 && raw.max() <= 255 && zeroPoint <= 255
                && consumers.get(normalization.output()).stream().allMatch(n -> n.getOpType().equals("Conv") && !floatConvs.contains(n)
                        && n.getInput(0).equals(normalization.output()) && n.getInputCount() > 2)) {
            String name = normalization.output();
            inputParams = new Params(normalization.input() + "_scale", normalization.input() + "_zero_point");
            newInitializers.put(inputParams.scale(), floatTensor(inputParams.scale(), List.of(), new float[] {1f}));
            newInitializers.put(inputParams.zeroPoint(), uint8Scalar(inputParams.zeroPoint(), 0));
            float scale = normalization.multiply();
            newInitializers.put(params.get(name).scale(), floatTensor(params.get(name).scale(), List.of(), new float[] {scale}));
            newInitializers.put(params.get(name).zeroPoint(), uint8Scalar(params.get(name).zeroPoint(), zeroPoint));
            scales.put(name, scale);
            inputOffset = (zeroPoint - normalization.subtract()) * normalization.multiply();
        }
        sharesParamsWith.forEach((name, source) -> {
            params.put(name, params.get(source));
            scales.put(name, scales.get(source));
        });

        for (String input : quantized) {
            if (!producers.containsKey(input)) {
                addQdq(out, input, params.get(input));
            }
        }
        for (NodeProto node : graph.getNodeList()) {
            if (droppedRelus.contains(node)) {
                continue;
            }
            if (inputParams != null && (node == normalization.sub() || node == normalization.mul())) {
                if (node == normalization.mul()) {
                    addQdq(out, normalization.output(), normalization.input(), inputParams, params.get(normalization.output()));
                }
                continue;
            }
            NodeProto.Builder rewritten = node.toBuilder();
            for (int i = 0; i < node.getInputCount(); i++) {
                String name = alias(node.getInput(i));
                if (quantized.contains(name) && node.getOpType().equals("Shape")) {
                    rewritten.setInput(i, name + "_quantized");
                } else if (quantized.contains(name) && !graphOutputs.contains(name)) {
                    rewritten.setInput(i, name + "_dequantized");
                } else {
                    rewritten.setInput(i, name);
                }
            }
            if (node.getOpType().equals("Conv") && !floatConvs.contains(node)) {
                String activation = alias(node.getInput(0));
                float inputScale = scales.get(activation);
                if (inputParams != null && activation.equals(normalization.output()) && inputOffset != 0) {
                    addInputOffset(newInitializers, node, inputOffset);
                }
                float[] weightScales = quantizeWeights(out, newInitializers, node.getInput(1));
                rewritten.setInput(1, node.getInput(1) + "_dequantized");
                if (node.getInputCount() > 2) {
                    quantizeBias(out, newInitializers, node.getInput(2), inputScale, weightScales);
                    rewritten.setInput(2, node.getInput(2) + "_dequantized");
                }
            }
            String output = node.getOutput(0);
            if (quantized.contains(output) && graphOutputs.contains(output)) {
                rewritten.setOutput(0, output + "_float");
            }
            out.addNode(rewritten);
            if (quantized.contains(output)) {
                addQdq(out, output, params.get(output));
            }
        }
        Set<String> read = new HashSet<>();
        out.getNodeList().forEach(node -> read.addAll(node.getInputList()));
        newInitializers.values().stream().filter(t -> read.contains(t.getName())).forEach(out::addInitializer);
        return folded.toBuilder().setGraph(out).build();
    }

    /** Q then DQ of a float tensor; a graph output keeps its name on the DQ side. */
    private void addQdq(GraphProto.Builder out, String name, Params params) {
        boolean isOutput = graphOutputs.contains(name);
        addQdq(out, name, isOutput ? name + "_float" : name, params, params);
    }

    /** Q of {@code source} then DQ, as tensor {@code name}. */
    private void addQdq(GraphProto.Builder out, String name, String source, Params quantize, Params dequantize) {
        out.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(name + "_quantize")
                .addInput(source).addInput(quantize.scale()).addInput(quantize.zeroPoint()).addOutput(name + "_quantized"));
        out.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "_dequantize")
                .addInput(name + "_quantized").addInput(dequantize.scale()).addInput(dequantize.zeroPoint())
                .addOutput(graphOutputs.contains(name) ? name : name + "_dequantized"));
    }

    /** The bias of a convolution whose input reads {@code offset} low everywhere: + offset x the sum of each filter. */
    private static void addInputOffset(Map<String, TensorProto> initializers, NodeProto conv, float offset) {
        TensorProto weightTensor = initializers.get(conv.getInput(1));
        float[] weights = floats(weightTensor);
        float[] bias = floats(initializers.get(conv.getInput(2)));
        int perChannel = weights.length / bias.length;
        for (int c = 0; c < bias.length; c++) {
            double sum = 0;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                sum += weights[i];
            }
            bias[c] = (float) (bias[c] + offset * sum);
        }
        initializers.put(conv.getInput(2), floatTensor(conv.getInput(2), List.of((long) bias.length), bias));
    }

    private static TensorProto uint8Scalar(String name, int value) {
        return TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.UINT8_VALUE)
                .setRawData(ByteString.copyFrom(new byte[] {(byte) value})).build();
    }

    /**
     * Weights use 7 of int8's bits (-63..63). On x86 CPUs without VNNI (AVX2, AVX-512F) ONNX
     * Runtime multiplies uint8 activations by int8 weights with {@code vpmaddubsw}, which adds two
     * products into 16 bits and saturates: 255 * 127 * 2 overflows, 255 * 63 * 2 does not. With full
     * int8 weights the same model gave other boxes there than on VNNI CPUs (a face of the test
     * photos moved to IoU 0.68 on an AMD EPYC with AVX2); with 7 bits every CPU computes the same.
     */
    static final int WEIGHT_LEVELS = 63;

    /** Replaces a Conv weight by int8 values with one symmetric scale per output channel; returns the scales. */
    private static float[] quantizeWeights(GraphProto.Builder out, Map<String, TensorProto> initializers, String name) {
        TensorProto tensor = initializers.get(name);
        float[] weights = floats(tensor);
        int channels = (int) tensor.getDims(0);
        int perChannel = weights.length / channels;
        float[] scales = new float[channels];
        byte[] values = new byte[weights.length];
        for (int c = 0; c < channels; c++) {
            float absMax = 0;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                absMax = Math.max(absMax, Math.abs(weights[i]));
            }
            scales[c] = absMax > 0 ? absMax / WEIGHT_LEVELS : 1f;
            for (int i = c * perChannel; i < (c + 1) * perChannel; i++) {
                values[i] = (byte) Math.max(-WEIGHT_LEVELS, Math.min(WEIGHT_LEVELS, Math.round(weights[i] / scales[c])));
            }
        }
        initializers.put(name + "_quantized", TensorProto.newBuilder().setName(name + "_quantized")
                .addAllDims(tensor.getDimsList()).setDataType(TensorProto.DataType.INT8_VALUE)
                .setRawData(ByteString.copyFrom(values)).build());
        initializers.put(name + "_scale", floatTensor(name + "_scale", List.of((long) channels), scales));
        initializers.put(name + "_zero_point", TensorProto.newBuilder().setName(name + "_zero_point")
                .addDims(channels).setDataType(TensorProto.DataType.INT8_VALUE)
                .setRawData(ByteString.copyFrom(new byte[channels])).build());
        addDequantize(out, name, 0);
        return scales;
    }

    /** Replaces a Conv bias by int32 values in units of input scale times weight scale, as integer convolutions add it. */
    private static void quantizeBias(GraphProto.Builder out, Map<String, TensorProto> initializers, String name,
                                     float inputScale, float[] weightScales) {
        float[] bias = floats(initializers.get(name));
        float[] scales = new float[bias.length];
        ByteBuffer values = ByteBuffer.allocate(4 * bias.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int c = 0; c < bias.length; c++) {
            scales[c] = inputScale * weightScales[c];
            values.putInt((int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round((double) bias[c] / scales[c]))));
        }
        initializers.put(name + "_quantized", TensorProto.newBuilder().setName(name + "_quantized")
                .addDims(bias.length).setDataType(TensorProto.DataType.INT32_VALUE)
                .setRawData(ByteString.copyFrom(values.array())).build());
        initializers.put(name + "_scale", floatTensor(name + "_scale", List.of((long) bias.length), scales));
        initializers.put(name + "_zero_point", TensorProto.newBuilder().setName(name + "_zero_point")
                .addDims(bias.length).setDataType(TensorProto.DataType.INT32_VALUE)
                .setRawData(ByteString.copyFrom(new byte[4 * bias.length])).build());
        addDequantize(out, name, 0);
    }

    private static void addDequantize(GraphProto.Builder out, String name, int axis) {
        out.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "_dequantize")
                .addInput(name + "_quantized").addInput(name + "_scale").addInput(name + "_zero_point")
                .addOutput(name + "_dequantized")
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT).setI(axis)));
    }

    // ---- tensors and attributes ----

    /** A float initializer's values, or null when the tensor is not float. */
    static float[] floats(TensorProto tensor) {
        if (tensor == null || tensor.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
            return null;
        }
        if (!tensor.getRawData().isEmpty()) {
            FloatBuffer buffer = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
            float[] values = new float[buffer.remaining()];
            buffer.get(values);
            return values;
        }
        float[] values = new float[tensor.getFloatDataCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getFloatData(i);
        }
        return values;
    }

    static TensorProto floatTensor(String name, List<Long> dims, float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        return TensorProto.newBuilder().setName(name).addAllDims(dims).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(bytes.array())).build();
    }

    private static float floatAttribute(NodeProto node, String name, float otherwise) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals(name)) {
                return attribute.getF();
            }
        }
        return otherwise;
    }

    private static String stringAttribute(NodeProto node, String name, String otherwise) {
        for (AttributeProto attribute : node.getAttributeList()) {
            if (attribute.getName().equals(name)) {
                return attribute.getS().toStringUtf8();
            }
        }
        return otherwise;
    }
}
