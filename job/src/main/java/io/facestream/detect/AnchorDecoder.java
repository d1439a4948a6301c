package io.facestream.detect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the raw heads of an insightface-style RetinaFace export (e.g. {@code mnet.25_v2.onnx}):
 * per stride a score map {@code 1 x 2A x H x W} (background channels first, face score in channel
 * A + a), box deltas {@code 1 x 4A x H x W} (channel 4a + k) and landmark deltas
 * {@code 1 x 10A x H x W} (channel 10a + 2p + {x,y}). Anchor a of cell (x, y) is centred at
 * {@code 7.5 + x * stride, 7.5 + y * stride} with side {@code anchorSizes[a]}.
 */
public final class AnchorDecoder implements HeadDecoder {

    /** The raw output tensors of one stride, flattened in NCHW order. */
    public record StrideOutput(int stride, int height, int width, FloatBuffer scores, FloatBuffer boxDeltas,
                               FloatBuffer landmarkDeltas) {}

    /** Anchor sides per stride, in channel order. */
    public record StrideAnchors(int stride, float[] anchorSizes) {}

    private static final float ANCHOR_CENTRE_OFFSET = 7.5f;
    private static final String HINT = "insightface exports have outputs face_rpn_{cls_prob_reshape,bbox_pred,landmark_pred}_stride{32,16,8}.";

    private final List<StrideAnchors> strides;
    private final float landmarkScale;

    /**
     * @param landmarkScale landmark delta multiplier: 0.2 for the v2 exports, 1.0 for v1
     */
    public AnchorDecoder(List<StrideAnchors> strides, float landmarkScale) {
        this.strides = List.copyOf(strides);
        this.landmarkScale = landmarkScale;
    }

    static AnchorDecoder of(ModelDescriptor model) {
        List<StrideAnchors> strides = new ArrayList<>();
        for (ModelDescriptor.Anchors anchors : model.anchors) {
            strides.add(new StrideAnchors(anchors.stride, anchors.sizes));
        }
        return new AnchorDecoder(strides, model.landmarkScale);
    }

    @Override
    public List<DetectedFace> decode(NDList outputs, int tensorWidth, int tensorHeight, float scoreThreshold) {
        List<StrideOutput> maps = new ArrayList<>(strides.size());
        for (StrideAnchors anchors : strides) {
            int stride = anchors.stride();
            NDArray scores = HeadDecoder.output(outputs, "face_rpn_cls_prob_reshape_stride" + stride, HINT);
            Shape shape = scores.getShape();
            maps.add(new StrideOutput(stride, (int) shape.get(2), (int) shape.get(3), HeadDecoder.values(scores),
                    HeadDecoder.values(HeadDecoder.output(outputs, "face_rpn_bbox_pred_stride" + stride, HINT)),
                    HeadDecoder.values(HeadDecoder.output(outputs, "face_rpn_landmark_pred_stride" + stride, HINT))));
        }
        return decode(maps, scoreThreshold);
    }

    /** Every anchor whose face score is at least {@code scoreThreshold}, in model-input pixels. */
    public List<DetectedFace> decode(List<StrideOutput> outputs, float scoreThreshold) {
        List<DetectedFace> faces = new ArrayList<>();
        for (StrideOutput output : outputs) {
            decodeStride(output, anchorsFor(output.stride()), scoreThreshold, faces);
        }
        return faces;
    }

    private float[] anchorsFor(int stride) {
        for (StrideAnchors anchors : strides) {
            if (anchors.stride() == stride) {
                return anchors.anchorSizes();
            }
        }
        throw new IllegalArgumentException("no anchors configured for stride " + stride);
    }

    private void decodeStride(StrideOutput out, float[] sizes, float threshold, List<DetectedFace> faces) {
        int anchorCount = sizes.length;
        int plane = out.height() * out.width();
        checkLength("scores", out.scores(), 2 * anchorCount * plane, out.stride());
        checkLength("box deltas", out.boxDeltas(), 4 * anchorCount * plane, out.stride());
        checkLength("landmark deltas", out.landmarkDeltas(), 10 * anchorCount * plane, out.stride());
        for (int a = 0; a < anchorCount; a++) {
            float size = sizes[a];
            for (int y = 0; y < out.height(); y++) {
                for (int x = 0; x < out.width(); x++) {
                    int cell = y * out.width() + x;
                    float score = out.scores().get((anchorCount + a) * plane + cell);
                    if (score < threshold) {
                        continue;
                    }
                    float cx = ANCHOR_CENTRE_OFFSET + x * out.stride();
                    float cy = ANCHOR_CENTRE_OFFSET + y * out.stride();
                    FloatBuffer box = out.boxDeltas();
                    float boxCx = cx + box.get((4 * a) * plane + cell) * size;
                    float boxCy = cy + box.get((4 * a + 1) * plane + cell) * size;
                    float boxW = size * (float) Math.exp(box.get((4 * a + 2) * plane + cell));
                    float boxH = size * (float) Math.exp(box.get((4 * a + 3) * plane + cell));
                    float[] landmarks = new float[2 * DetectedFace.LANDMARK_COUNT];
                    for (int p = 0; p < DetectedFace.LANDMARK_COUNT; p++) {
                        landmarks[2 * p] = cx + out.landmarkDeltas().get((10 * a + 2 * p) * plane + cell) * landmarkScale * size;
                        landmarks[2 * p + 1] = cy + out.landmarkDeltas().get((10 * a + 2 * p + 1) * plane + cell) * landmarkScale * size;
                    }
                    faces.add(new DetectedFace(score,
                            boxCx - 0.5f * (boxW - 1), boxCy - 0.5f * (boxH - 1),
                            boxCx + 0.5f * (boxW - 1), boxCy + 0.5f * (boxH - 1), landmarks));
                }
            }
        }
    }

    private static void checkLength(String what, FloatBuffer values, int expected, int stride) {
        if (values.limit() != expected) {
            throw new IllegalArgumentException(String.format(
                    "stride %d: %s have %d values, expected %d; is this an insightface RetinaFace export?",
                    stride, what, values.limit(), expected));
        }
    }
}
