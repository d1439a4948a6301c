package io.facestream.detect;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to detect faces: which model and with which thresholds. Validated when built, so a bad
 * setting fails before a job starts rather than inside a running task.
 */
public final class DetectorSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final float DEFAULT_SCORE_THRESHOLD = 0.5f;
    public static final float DEFAULT_NMS_THRESHOLD = 0.4f;
    public static final int DEFAULT_INPUT_SIZE = 640;
    /** insightface v2 exports scale landmark deltas by 0.2 (v1: 1.0). */
    public static final float DEFAULT_LANDMARK_SCALE = 0.2f;
    public static final long DEFAULT_MAX_IMAGE_BYTES = 16L * 1024 * 1024;
    /** 64 megapixels: a 8000x8000 photo passes, a decompression bomb does not. */
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 64_000_000L;

    private final String modelPath;
    private final float scoreThreshold;
    private final float nmsThreshold;
    private final int inputSize;
    private final float landmarkScale;
    private final long maxImageBytes;
    private final long maxImagePixels;
    private final int intraOpThreads;

    private DetectorSettings(Builder b) {
        this.modelPath = b.modelPath == null ? null : b.modelPath.toString();
        this.scoreThreshold = b.scoreThreshold;
        this.nmsThreshold = b.nmsThreshold;
        this.inputSize = b.inputSize;
        this.landmarkScale = b.landmarkScale;
        this.maxImageBytes = b.maxImageBytes;
        this.maxImagePixels = b.maxImagePixels;
        this.intraOpThreads = b.intraOpThreads;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static DetectorSettings defaults() {
        return builder().build();
    }

    /** The ONNX file to load, or null for the default model shipped in the jar. */
    public Path modelPath() {
        return modelPath == null ? null : Path.of(modelPath);
    }

    public float scoreThreshold() {
        return scoreThreshold;
    }

    public float nmsThreshold() {
        return nmsThreshold;
    }

    public int inputSize() {
        return inputSize;
    }

    public float landmarkScale() {
        return landmarkScale;
    }

    public long maxImageBytes() {
        return maxImageBytes;
    }

    public long maxImagePixels() {
        return maxImagePixels;
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }

    public static final class Builder {
        private Path modelPath;
        private float scoreThreshold = DEFAULT_SCORE_THRESHOLD;
        private float nmsThreshold = DEFAULT_NMS_THRESHOLD;
        private int inputSize = DEFAULT_INPUT_SIZE;
        private float landmarkScale = DEFAULT_LANDMARK_SCALE;
        private long maxImageBytes = DEFAULT_MAX_IMAGE_BYTES;
        private long maxImagePixels = DEFAULT_MAX_IMAGE_PIXELS;
        private int intraOpThreads = 1;

        public Builder modelPath(Path modelPath) {
            this.modelPath = modelPath;
            return this;
        }

        public Builder scoreThreshold(float scoreThreshold) {
            this.scoreThreshold = scoreThreshold;
            return this;
        }

        public Builder nmsThreshold(float nmsThreshold) {
            this.nmsThreshold = nmsThreshold;
            return this;
        }

        public Builder inputSize(int inputSize) {
            this.inputSize = inputSize;
            return this;
        }

        public Builder landmarkScale(float landmarkScale) {
            this.landmarkScale = landmarkScale;
            return this;
        }

        public Builder maxImageBytes(long maxImageBytes) {
            this.maxImageBytes = maxImageBytes;
            return this;
        }

        public Builder maxImagePixels(long maxImagePixels) {
            this.maxImagePixels = maxImagePixels;
            return this;
        }

        public Builder intraOpThreads(int intraOpThreads) {
            this.intraOpThreads = intraOpThreads;
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting and what to do */
        public DetectorSettings build() {
            List<String> problems = new ArrayList<>();
            if (modelPath != null && !Files.isRegularFile(modelPath)) {
                problems.add("--model " + modelPath + ": no such file; give the path of a RetinaFace .onnx export");
            }
            if (!(scoreThreshold >= 0 && scoreThreshold <= 1)) {
                problems.add("--score-threshold " + scoreThreshold + ": must be between 0 and 1");
            }
            if (!(nmsThreshold > 0 && nmsThreshold <= 1)) {
                problems.add("--nms-threshold " + nmsThreshold + ": must be in (0, 1]");
            }
            if (inputSize < 32 || inputSize % 32 != 0) {
                problems.add("input size " + inputSize + ": must be a positive multiple of 32");
            }
            if (!(landmarkScale > 0)) {
                problems.add("landmark scale " + landmarkScale + ": must be positive");
            }
            if (maxImageBytes <= 0) {
                problems.add("--max-image-bytes " + maxImageBytes + ": must be positive");
            }
            if (maxImagePixels <= 0) {
                problems.add("--max-image-pixels " + maxImagePixels + ": must be positive");
            }
            if (intraOpThreads < 1) {
                problems.add("intra-op threads " + intraOpThreads + ": must be at least 1");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid detector settings:\n  " + String.join("\n  ", problems));
            }
            return new DetectorSettings(this);
        }
    }
}
