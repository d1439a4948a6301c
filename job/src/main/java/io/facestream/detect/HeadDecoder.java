package io.facestream.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/** Turns a model's raw outputs into candidate faces in input-tensor pixels (before NMS). */
interface HeadDecoder {

    /** The candidates of one image, from the outputs of its model call. */
    List<DetectedFace> decode(NDList outputs, int tensorWidth, int tensorHeight, float scoreThreshold);

    /** An output's values, read in place from the one copy DJL makes of it ({@code toFloatArray} would make a second). */
    static FloatBuffer values(NDArray output) {
        return output.toByteBuffer().asFloatBuffer();
    }

    static NDArray output(NDList outputs, String name, String layoutHint) {
        NDArray array = outputs.get(name);
        if (array == null) {
            List<String> names = new ArrayList<>();
            outputs.forEach(a -> names.add(a.getName()));
            throw new IllegalStateException("The model has no output '" + name + "' (it has " + names + "). "
                    + layoutHint + " Choose the model type that matches the export, or describe the export in a model description file.");
        }
        return array;
    }
}
