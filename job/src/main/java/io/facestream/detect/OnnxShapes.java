package io.facestream.detect;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.HashSet;
import java.util.Set;

/**
 * Rewrites an ONNX model saved with a fixed input size so that batch, height and width are
 * symbolic: ONNX Runtime then runs it at any size, and at the original size the computation is
 * unchanged.
 */
public final class OnnxShapes {

    private OnnxShapes() {}

    /**
     * Height and width of the first graph input that is not an initializer, when both are fixed
     * numbers; null when either is symbolic or the model cannot be read (ONNX Runtime then reports it).
     */
    static int[] fixedInputHeightWidth(byte[] model) {
        GraphProto graph;
        try {
            graph = ModelProto.parseFrom(model).getGraph();
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
        Set<String> initializers = initializerNames(graph);
        for (ValueInfoProto input : graph.getInputList()) {
            if (initializers.contains(input.getName())) {
                continue;
            }
            if (!input.getType().hasTensorType() || !input.getType().getTensorType().hasShape()) {
                return null;
            }
            TensorShapeProto shape = input.getType().getTensorType().getShape();
            if (shape.getDimCount() != 4) {
                return null;
            }
            long height = dimValue(shape.getDim(2));
            long width = dimValue(shape.getDim(3));
            return height > 0 && width > 0 ? new int[] {(int) height, (int) width} : null;
        }
        return null;
    }

    private static long dimValue(TensorShapeProto.Dimension dim) {
        return dim.hasDimValue() ? dim.getDimValue() : -1;
    }

    private static Set<String> initializerNames(GraphProto graph) {
        Set<String> initializers = new HashSet<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            initializers.add(tensor.getName());
        }
        return initializers;
    }

    /** The model with its input's batch, height and width symbolic (public for the benchmarks' batching probe). */
    public static byte[] withSymbolicSpatialDims(byte[] model) {
        ModelProto modelProto;
        try {
            modelProto = ModelProto.parseFrom(model);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("The model file is not an ONNX model FaceStream can resize: " + e.getMessage(), e);
        }
        GraphProto graph = modelProto.getGraph();
        Set<String> initializers = initializerNames(graph);
        // Inferred intermediate shapes would contradict the new symbolic ones.
        GraphProto.Builder newGraph = graph.toBuilder().clearValueInfo().clearInput().clearOutput();
        graph.getInputList().forEach(input -> newGraph.addInput(symbolic(input, initializers)));
        graph.getOutputList().forEach(output -> newGraph.addOutput(symbolic(output, initializers)));
        return modelProto.toBuilder().setGraph(newGraph).build().toByteArray();
    }

    /** A 4-d graph input or output with N, H and W made symbolic (channels kept); others unchanged. */
    private static ValueInfoProto symbolic(ValueInfoProto value, Set<String> initializers) {
        String name = value.getName();
        if (initializers.contains(name) || !value.getType().hasTensorType() || !value.getType().getTensorType().hasShape()
                || value.getType().getTensorType().getShape().getDimCount() != 4) {
            return value;
        }
        String[] params = {name + "_batch", null, name + "_height", name + "_width"};
        ValueInfoProto.Builder builder = value.toBuilder();
        TensorShapeProto.Builder shape = builder.getTypeBuilder().getTensorTypeBuilder().getShapeBuilder();
        for (int i = 0; i < 4; i++) {
            if (params[i] != null) {
                shape.setDim(i, TensorShapeProto.Dimension.newBuilder().setDimParam(params[i]));
            }
        }
        return builder.build();
    }
}
