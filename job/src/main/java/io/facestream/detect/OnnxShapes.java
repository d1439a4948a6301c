package io.facestream.detect;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rewrites an ONNX model saved with a fixed input size so that batch, height and width are
 * symbolic: ONNX Runtime then runs it at any size, and at the original size the computation is
 * unchanged. The model is plain protobuf, edited by field number without ONNX's own classes:
 * ModelProto.graph = 7; GraphProto.initializer = 5, input = 11, output = 12, value_info = 13;
 * ValueInfoProto.name = 1, type = 2; TypeProto.tensor_type = 1; Tensor.shape = 2;
 * TensorShapeProto.dim = 1; Dimension.dim_value = 1, dim_param = 2; TensorProto.name = 8.
 */
public final class OnnxShapes {

    private OnnxShapes() {}

    /**
     * Height and width of the first graph input that is not an initializer, when both are fixed
     * numbers; null when either is symbolic or the model cannot be read (ONNX Runtime then reports it).
     */
    static int[] fixedInputHeightWidth(byte[] model) {
        try {
            UnknownFieldSet graph = UnknownFieldSet.parseFrom(single(UnknownFieldSet.parseFrom(model), 7, "graph"));
            Set<String> initializers = initializerNames(graph);
            for (ByteString valueInfoBytes : graph.getField(11).getLengthDelimitedList()) {
                UnknownFieldSet valueInfo = UnknownFieldSet.parseFrom(valueInfoBytes);
                if (initializers.contains(string(valueInfo, 1))) {
                    continue;
                }
                ShapePath path = shapePath(valueInfo);
                List<ByteString> dims = path == null ? List.of() : path.dims();
                if (dims.size() != 4) {
                    return null;
                }
                long height = dimValue(dims.get(2));
                long width = dimValue(dims.get(3));
                return height > 0 && width > 0 ? new int[] {(int) height, (int) width} : null;
            }
            return null;
        } catch (InvalidProtocolBufferException | IllegalStateException e) {
            return null;
        }
    }

    private static long dimValue(ByteString dimension) throws InvalidProtocolBufferException {
        UnknownFieldSet dim = UnknownFieldSet.parseFrom(dimension);
        return dim.hasField(1) && !dim.getField(1).getVarintList().isEmpty() ? dim.getField(1).getVarintList().get(0) : -1;
    }

    /** A value's type, tensor type and shape messages, kept to rebuild them; null where one is missing. */
    private record ShapePath(UnknownFieldSet type, UnknownFieldSet tensor, UnknownFieldSet shape) {
        List<ByteString> dims() {
            return shape.hasField(1) ? shape.getField(1).getLengthDelimitedList() : List.of();
        }
    }

    private static ShapePath shapePath(UnknownFieldSet valueInfo) throws InvalidProtocolBufferException {
        if (!valueInfo.hasField(2)) {
            return null;
        }
        UnknownFieldSet type = UnknownFieldSet.parseFrom(single(valueInfo, 2, "type"));
        if (!type.hasField(1)) {
            return null;
        }
        UnknownFieldSet tensor = UnknownFieldSet.parseFrom(single(type, 1, "tensor_type"));
        if (!tensor.hasField(2)) {
            return null;
        }
        return new ShapePath(type, tensor, UnknownFieldSet.parseFrom(single(tensor, 2, "shape")));
    }

    private static Set<String> initializerNames(UnknownFieldSet graph) throws InvalidProtocolBufferException {
        Set<String> initializers = new HashSet<>();
        if (graph.hasField(5)) {
            for (ByteString tensor : graph.getField(5).getLengthDelimitedList()) {
                initializers.add(string(UnknownFieldSet.parseFrom(tensor), 8));
            }
        }
        return initializers;
    }

    /** The model with its input's batch, height and width symbolic (public for the benchmarks' batching probe). */
    public static byte[] withSymbolicSpatialDims(byte[] model) {
        try {
            UnknownFieldSet modelProto = UnknownFieldSet.parseFrom(model);
            UnknownFieldSet graph = UnknownFieldSet.parseFrom(single(modelProto, 7, "graph"));
            Set<String> initializers = initializerNames(graph);
            UnknownFieldSet.Builder newGraph = graph.toBuilder();
            // Inferred intermediate shapes would contradict the new symbolic ones.
            newGraph.clearField(13);
            for (int field : new int[] {11, 12}) {
                UnknownFieldSet.Field.Builder values = UnknownFieldSet.Field.newBuilder();
                for (ByteString valueInfo : graph.getField(field).getLengthDelimitedList()) {
                    values.addLengthDelimited(symbolic(valueInfo, initializers));
                }
                newGraph.clearField(field).addField(field, values.build());
            }
            return modelProto.toBuilder()
                    .clearField(7)
                    .addField(7, UnknownFieldSet.Field.newBuilder().addLengthDelimited(newGraph.build().toByteString()).build())
                    .build()
                    .toByteArray();
        } catch (InvalidProtocolBufferException | IllegalStateException e) {
            throw new IllegalArgumentException("The model file is not an ONNX model FaceStream can resize: " + e.getMessage(), e);
        }
    }

    /** A 4-d graph input or output with N, H and W made symbolic (channels kept); others unchanged. */
    private static ByteString symbolic(ByteString valueInfoBytes, Set<String> initializers) throws InvalidProtocolBufferException {
        UnknownFieldSet valueInfo = UnknownFieldSet.parseFrom(valueInfoBytes);
        String name = string(valueInfo, 1);
        ShapePath path = initializers.contains(name) ? null : shapePath(valueInfo);
        if (path == null || path.dims().size() != 4) {
            return valueInfoBytes;
        }
        List<ByteString> dims = path.dims();
        String[] params = {name + "_batch", null, name + "_height", name + "_width"};
        UnknownFieldSet.Field.Builder newDims = UnknownFieldSet.Field.newBuilder();
        for (int i = 0; i < 4; i++) {
            newDims.addLengthDelimited(params[i] == null ? dims.get(i) : UnknownFieldSet.newBuilder()
                    .addField(2, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8(params[i])).build())
                    .build().toByteString());
        }
        UnknownFieldSet newShape = path.shape().toBuilder().clearField(1).addField(1, newDims.build()).build();
        UnknownFieldSet newTensor = replace(path.tensor(), 2, newShape);
        UnknownFieldSet newType = replace(path.type(), 1, newTensor);
        return replace(valueInfo, 2, newType).toByteString();
    }

    private static UnknownFieldSet replace(UnknownFieldSet message, int field, UnknownFieldSet value) {
        return message.toBuilder().clearField(field)
                .addField(field, UnknownFieldSet.Field.newBuilder().addLengthDelimited(value.toByteString()).build())
                .build();
    }

    private static ByteString single(UnknownFieldSet message, int field, String what) {
        if (!message.hasField(field) || message.getField(field).getLengthDelimitedList().size() != 1) {
            throw new IllegalStateException("expected one " + what + " (field " + field + ")");
        }
        return message.getField(field).getLengthDelimitedList().get(0);
    }

    private static String string(UnknownFieldSet message, int field) {
        return message.hasField(field) && !message.getField(field).getLengthDelimitedList().isEmpty()
                ? message.getField(field).getLengthDelimitedList().get(0).toStringUtf8() : "";
    }
}
