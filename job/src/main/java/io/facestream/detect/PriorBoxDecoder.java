package io.facestream.detect;

import ai.djl.ndarray.NDList;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes biubug6/Pytorch_Retinaface exports: {@code loc} N x P x 4 (SSD box offsets),
 * {@code conf} N x P x 2 (softmax, column 1 is the face) and {@code landms} N x P x 10, over P
 * prior boxes laid out per step, row by row, column by column, then one per min size.
 */
final class PriorBoxDecoder implements HeadDecoder {

    private static final String HINT = "Pytorch_Retinaface exports have outputs loc, conf and landms.";

    /**
     * Input sizes whose priors are kept. Most size policies give one to three sizes, but {@code seed}
     * gives one per image size, and a decoder lives as long as its inference thread: the least
     * recently used sizes go, and a size seen again is recomputed, cheaply next to the model's pass.
     */
    static final int CACHED_SIZES = 8;

    private final ModelDescriptor.Priors priors;
    /** Prior boxes (cx, cy, w, h, normalised) per input size; one decoder belongs to one inference thread. */
    private final Map<Long, float[]> priorCache = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, float[]> eldest) {
            return size() > CACHED_SIZES;
        }
    };

    PriorBoxDecoder(ModelDescriptor.Priors priors) {
        this.priors = priors;
    }

    @Override
    public List<DetectedFace> decode(NDList outputs, int tensorWidth, int tensorHeight, float scoreThreshold) {
        return decode(HeadDecoder.values(HeadDecoder.output(outputs, "loc", HINT)),
                HeadDecoder.values(HeadDecoder.output(outputs, "conf", HINT)),
                HeadDecoder.values(HeadDecoder.output(outputs, "landms", HINT)), tensorWidth, tensorHeight, scoreThreshold);
    }

    List<DetectedFace> decode(FloatBuffer loc, FloatBuffer conf, FloatBuffer landms, int width, int height, float scoreThreshold) {
        float[] boxes = priorBoxes(width, height);
        int count = boxes.length / 4;
        if (loc.limit() != 4 * count || conf.limit() != 2 * count || landms.limit() != 10 * count) {
            throw new IllegalStateException(String.format("The model returned %d boxes for a %dx%d input, but these prior "
                    + "settings give %d; check minSizes and steps of the model type.", loc.limit() / 4, width, height, count));
        }
        float v0 = priors.variances[0];
        float v1 = priors.variances[1];
        List<DetectedFace> faces = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            float score = conf.get(2 * p + 1);
            if (!(score > scoreThreshold)) {
                continue;
            }
            float pcx = boxes[4 * p];
            float pcy = boxes[4 * p + 1];
            float pw = boxes[4 * p + 2];
            float ph = boxes[4 * p + 3];
            float cx = pcx + loc.get(4 * p) * v0 * pw;
            float cy = pcy + loc.get(4 * p + 1) * v0 * ph;
            float w = pw * (float) Math.exp(loc.get(4 * p + 2) * v1);
            float h = ph * (float) Math.exp(loc.get(4 * p + 3) * v1);
            float x1 = cx - w / 2;
            float y1 = cy - h / 2;
            float[] landmarks = new float[10];
            for (int k = 0; k < 5; k++) {
                landmarks[2 * k] = (pcx + landms.get(10 * p + 2 * k) * v0 * pw) * width;
                landmarks[2 * k + 1] = (pcy + landms.get(10 * p + 2 * k + 1) * v0 * ph) * height;
            }
            faces.add(new DetectedFace(score, x1 * width, y1 * height, (x1 + w) * width, (y1 + h) * height, landmarks));
        }
        return faces;
    }

    float[] priorBoxes(int width, int height) {
        return priorCache.computeIfAbsent(((long) width << 32) | height, key -> {
            int total = 0;
            for (int k = 0; k < priors.steps.length; k++) {
                int step = priors.steps[k];
                total += ceilDiv(height, step) * ceilDiv(width, step) * priors.minSizes[k].length;
            }
            float[] boxes = new float[4 * total];
            int at = 0;
            for (int k = 0; k < priors.steps.length; k++) {
                int step = priors.steps[k];
                for (int i = 0; i < ceilDiv(height, step); i++) {
                    for (int j = 0; j < ceilDiv(width, step); j++) {
                        for (float minSize : priors.minSizes[k]) {
                            boxes[at++] = (j + 0.5f) * step / width;
                            boxes[at++] = (i + 0.5f) * step / height;
                            boxes[at++] = minSize / width;
                            boxes[at++] = minSize / height;
                        }
                    }
                }
            }
            return boxes;
        });
    }

    int cachedSizes() {
        return priorCache.size();
    }

    private static int ceilDiv(int value, int divisor) {
        return (value + divisor - 1) / divisor;
    }
}
