package io.facestream.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.util.ArrayList;
import java.util.List;

/**
 * Pre- and post-processing of an insightface RetinaFace export: letterbox to the fixed input,
 * decode the anchor heads, threshold, clip, NMS and map back to image pixels. Holds reusable
 * buffers, so it belongs to one predictor (one inference thread).
 */
public final class RetinaFaceTranslator implements NoBatchifyTranslator<DecodedImage, Detections> {

    private static final String SCALE = "scale";
    private static final String STARTED = "started";
    private static final String PREPARED = "prepared";

    private final Letterbox letterbox;
    private final AnchorDecoder decoder;
    private final float scoreThreshold;
    private final float nmsThreshold;

    public RetinaFaceTranslator(int inputSize, AnchorDecoder decoder, float scoreThreshold, float nmsThreshold) {
        this.letterbox = new Letterbox(inputSize);
        this.decoder = decoder;
        this.scoreThreshold = scoreThreshold;
        this.nmsThreshold = nmsThreshold;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, DecodedImage image) {
        long started = System.nanoTime();
        float scale = letterbox.fill(image);
        int size = letterbox.size();
        NDArray input = ctx.getNDManager().create(letterbox.tensor(), new Shape(1, 3, size, size));
        ctx.setAttachment(SCALE, scale);
        ctx.setAttachment(STARTED, started);
        ctx.setAttachment(PREPARED, System.nanoTime());
        return new NDList(input);
    }

    @Override
    public Detections processOutput(TranslatorContext ctx, NDList outputs) {
        long inferred = System.nanoTime();
        List<AnchorDecoder.StrideOutput> strides = new ArrayList<>();
        for (AnchorDecoder.StrideAnchors anchors : decoder.strides()) {
            int stride = anchors.stride();
            NDArray scores = output(outputs, "face_rpn_cls_prob_reshape_stride" + stride);
            Shape shape = scores.getShape();
            strides.add(new AnchorDecoder.StrideOutput(stride, (int) shape.get(2), (int) shape.get(3),
                    scores.toFloatArray(),
                    output(outputs, "face_rpn_bbox_pred_stride" + stride).toFloatArray(),
                    output(outputs, "face_rpn_landmark_pred_stride" + stride).toFloatArray()));
        }
        float scale = (Float) ctx.getAttachment(SCALE);
        float max = letterbox.size() - 1;
        List<DetectedFace> candidates = new ArrayList<>();
        for (DetectedFace face : decoder.decode(strides, scoreThreshold)) {
            candidates.add(face.clipBox(max, max));
        }
        List<DetectedFace> faces = new ArrayList<>();
        for (DetectedFace face : NonMaxSuppression.apply(candidates, nmsThreshold)) {
            faces.add(face.unscale(scale));
        }
        long started = (Long) ctx.getAttachment(STARTED);
        long prepared = (Long) ctx.getAttachment(PREPARED);
        return new Detections(faces, prepared - started, inferred - prepared, System.nanoTime() - inferred);
    }

    private static NDArray output(NDList outputs, String name) {
        NDArray array = outputs.get(name);
        if (array == null) {
            List<String> names = new ArrayList<>();
            outputs.forEach(a -> names.add(a.getName()));
            throw new IllegalStateException("The model has no output '" + name + "' (it has " + names
                    + "). The default decoder reads insightface RetinaFace exports such as mnet.25_v2.onnx.");
        }
        return array;
    }

    void close() {
        letterbox.close();
    }
}
