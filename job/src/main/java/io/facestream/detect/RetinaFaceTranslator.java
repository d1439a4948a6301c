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
 * Pre- and post-processing of one model call, as the model's descriptor says: write the images
 * into the input tensor, decode the heads, threshold, clip, top-k, NMS, top-k and map back to
 * image pixels. A call is one image, or a batch of images whose plans share a tensor size (the
 * translator stacks them itself, straight into its reused buffer). Holds reusable buffers, so it
 * belongs to one predictor (one inference thread).
 */
final class RetinaFaceTranslator implements NoBatchifyTranslator<List<RetinaFaceTranslator.Pass>, List<Detections>> {

    /** One image through the model at one input plan. */
    record Pass(DecodedImage image, SizePolicy.InputPlan plan) {}

    private static final String PASS = "pass";
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
    public NDList processInput(TranslatorContext ctx, List<Pass> passes) {
        long started = System.nanoTime();
        SizePolicy.InputPlan plan = passes.get(0).plan();
        FloatBuffer tensor = null;
        for (int i = 0; i < passes.size(); i++) {
            SizePolicy.InputPlan own = passes.get(i).plan();
            if (own.tensorWidth() != plan.tensorWidth() || own.tensorHeight() != plan.tensorHeight()) {
                throw new IllegalArgumentException("A batch needs one tensor size: " + own + " after " + plan);
            }
            tensor = writer.write(passes.get(i).image(), own, i, passes.size());
        }
        NDArray input = ctx.getNDManager().create(tensor,
                new Shape(passes.size(), 3, plan.tensorHeight(), plan.tensorWidth()));
        ctx.setAttachment(PASS, passes);
        ctx.setAttachment(STARTED, started);
        ctx.setAttachment(PREPARED, System.nanoTime());
        return new NDList(input);
    }

    /** The stage times are the whole call's: what each image of a batch waited for. */
    @Override
    public List<Detections> processOutput(TranslatorContext ctx, NDList outputs) {
        long inferred = System.nanoTime();
        @SuppressWarnings("unchecked")
        List<Pass> passes = (List<Pass>) ctx.getAttachment(PASS);
        SizePolicy.InputPlan tensorPlan = passes.get(0).plan();
        List<List<DetectedFace>> decoded = decoder.decode(outputs, passes.size(), tensorPlan.tensorWidth(),
                tensorPlan.tensorHeight(), scoreThreshold);
        List<List<DetectedFace>> perImage = new ArrayList<>(passes.size());
        for (int i = 0; i < passes.size(); i++) {
            perImage.add(faces(decoded.get(i), passes.get(i).plan()));
        }
        long started = (Long) ctx.getAttachment(STARTED);
        long prepared = (Long) ctx.getAttachment(PREPARED);
        long finished = System.nanoTime();
        List<Detections> detections = new ArrayList<>(passes.size());
        for (List<DetectedFace> faces : perImage) {
            detections.add(new Detections(faces, prepared - started, inferred - prepared, finished - inferred));
        }
        return detections;
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
