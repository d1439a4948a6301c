package io.facestream.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/** Turns a model's raw outputs into candidate faces in input-tensor pixels (before NMS). */
interface HeadDecoder {

    /** The candidates of each of the {@code batchSize} images of one model call, in batch order. */
    List<List<DetectedFace>> decode(NDList outputs, int batchSize, int tensorWidth, int tensorHeight, float scoreThreshold);

    /**
     * An output's values for each image of the batch, read in place from the one copy DJL makes
     * of the output ({@code toFloatArray} would make a second).
     */
    static List<FloatBuffer> perImage(NDArray output, int batchSize) {
        FloatBuffer all = output.toByteBuffer().asFloatBuffer();
        int length = all.limit() / batchSize;
        List<FloatBuffer> images = new ArrayList<>(batchSize);
        for (int i = 0; i < batchSize; i++) {
            images.add(all.slice(i * length, length));
        }
        return images;
    }

    static NDArray output(NDList outputs, String name, String layoutHint) {
        NDArray array = outputs.get(name);
        if (array == null) {
            List<String> names = new ArrayList<>();
            outputs.forEach(a -> names.add(a.getName()));
            throw new IllegalStateException("The model has no output '" + name + "' (it has " + names + "). "
                    + layoutHint + " Choose the matching --model-type, or describe the export with --model-config.");
        }
        return array;
    }
}
