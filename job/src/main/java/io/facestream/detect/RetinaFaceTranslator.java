package io.facestream.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.translate.NoBatchifyTranslator;
import ai.djl.translate.TranslatorContext;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Pre- and post-processing of one model call on one image, as the model's descriptor says: write
 * the image into the input tensor, decode the heads, threshold, clip, top-k, NMS, top-k and map
 * back to image pixels. Holds reusable buffers, so it belongs to one predictor (one inference thread).
 */
final class RetinaFaceTranslator implements NoBatchifyTranslator<RetinaFaceTranslator.Pass, ModelFaces> {

    /** One image through the model at one input plan. */
    record Pass(DecodedImage image, SizePolicy.InputPlan plan) {}

    private static final String PLAN = "plan";
    private static final String STARTED = "started";
    private static final String PREPARED = "prepared";

    private final ModelDescriptor model;
    private final HeadDecoder decoder;
    private final TensorWriter writer;
    private final float scoreThreshold;
    private final float nmsThreshold;

    RetinaFaceTranslator(ModelDescriptor model, float scoreThreshold, float nmsThreshold) {
        this.model = model;
        this.decoder = model.decoder();
        this.writer = new TensorWriter(model);
        this.scoreThreshold = scoreThreshold;
        this.nmsThreshold = nmsThreshold;
    }

    @Override
    public NDList processInput(TranslatorContext ctx, Pass pass) {
        long started = System.nanoTime();
        SizePolicy.InputPlan plan = pass.plan();
        FloatBuffer tensor = writer.write(pass.image(), plan);
        NDArray input = ctx.getNDManager().create(tensor, new Shape(1, 3, plan.tensorHeight(), plan.tensorWidth()));
        ctx.setAttachment(PLAN, plan);
        ctx.setAttachment(STARTED, started);
        ctx.setAttachment(PREPARED, System.nanoTime());
        return new NDList(input);
    }

    @Override
    public ModelFaces processOutput(TranslatorContext ctx, NDList outputs) {
        long inferred = System.nanoTime();
        SizePolicy.InputPlan plan = (SizePolicy.InputPlan) ctx.getAttachment(PLAN);
        List<DetectedFace> faces = faces(decoder.decode(outputs, plan.tensorWidth(), plan.tensorHeight(), scoreThreshold), plan);
        long started = (Long) ctx.getAttachment(STARTED);
        long prepared = (Long) ctx.getAttachment(PREPARED);
        return new ModelFaces(faces, prepared - started, inferred - prepared, System.nanoTime() - inferred);
    }

    private List<DetectedFace> faces(List<DetectedFace> candidates, SizePolicy.InputPlan plan) {
        if (model.clipBoxes) {
            List<DetectedFace> clipped = new ArrayList<>(candidates.size());
            for (DetectedFace face : candidates) {
                clipped.add(face.clipBox(plan.tensorWidth() - 1, plan.tensorHeight() - 1));
            }
            candidates = clipped;
        }
        List<DetectedFace> faces = new ArrayList<>();
        for (DetectedFace face : suppress(candidates, model, nmsThreshold)) {
            faces.add(face.unscale(plan.scale()));
        }
        return faces;
    }

    /** The reference pipelines' order: best pre-NMS candidates, NMS, best post-NMS faces. */
    static List<DetectedFace> suppress(List<DetectedFace> candidates, ModelDescriptor model, float nmsThreshold) {
        List<DetectedFace> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparingDouble(DetectedFace::score).reversed());
        if (model.preNmsTopK > 0 && sorted.size() > model.preNmsTopK) {
            sorted = sorted.subList(0, model.preNmsTopK);
        }
        List<DetectedFace> kept = NonMaxSuppression.apply(sorted, nmsThreshold);
        if (model.postNmsTopK > 0 && kept.size() > model.postNmsTopK) {
            kept = new ArrayList<>(kept.subList(0, model.postNmsTopK));
        }
        return kept;
    }

    void close() {
        writer.close();
    }
}
