package io.facestream.detect;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * How to detect faces: which model (file and description), how images become its input, and
 * the thresholds. Validated when built, so a bad setting fails before a job starts rather than
 * inside a running task.
 */
public final class DetectorSettings implements Serializable {

    private static final long serialVersionUID = 4L;

    public static final float DEFAULT_SCORE_THRESHOLD = 0.5f;
    public static final long DEFAULT_MAX_IMAGE_BYTES = 16L * 1024 * 1024;
    /** 64 megapixels: a 8000x8000 photo passes, a decompression bomb does not. */
    public static final long DEFAULT_MAX_IMAGE_PIXELS = 64_000_000L;

    /** The arithmetic the model runs in. */
    public enum Precision {
        /** The model file as published. */
        FP32,
        /** The build's statically quantized copy of the default model (int8 weights, uint8 activations). */
        INT8,
        /**
         * INT8 for the built-in model on the CPU, where it pays and holds the accuracy (BENCHMARKS.md);
         * FP32 for a model file of one's own (FaceStream quantizes only its own) and on a GPU (int8
         * kernels are what makes it pay on a CPU, and the CUDA provider runs QDQ graphs partly on the CPU).
         */
        AUTO
    }

    public static final String DEFAULT_PRECISION = "auto";

    private final String modelPath;
    private final ModelDescriptor model;
    private final Precision precision;
    private final SizePolicy size;
    private final float scoreThreshold;
    private final float nmsThreshold;
    private final long maxImageBytes;
    private final long maxImagePixels;
    private final int intraOpThreads;
    private final int gpu;

    private DetectorSettings(Builder b, ModelDescriptor model, SizePolicy size) {
        this.modelPath = b.modelPath == null ? null : b.modelPath.toString();
        this.model = model;
        this.precision = b.precision != Precision.AUTO ? b.precision
                : b.modelPath == null && b.gpu < 0 ? Precision.INT8 : Precision.FP32;
        this.size = size;
        this.scoreThreshold = b.scoreThreshold == null ? model.scoreThreshold : b.scoreThreshold;
        this.nmsThreshold = b.nmsThreshold == null ? model.nmsThreshold : b.nmsThreshold;
        this.maxImageBytes = b.maxImageBytes;
        this.maxImagePixels = b.maxImagePixels;
        this.intraOpThreads = b.intraOpThreads;
        this.gpu = b.gpu;
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

    public ModelDescriptor model() {
        return model;
    }

    /** The precision of the model to load, never AUTO: always FP32 with a model file of one's own. */
    public Precision precision() {
        return precision;
    }

    public SizePolicy size() {
        return size;
    }

    public float scoreThreshold() {
        return scoreThreshold;
    }

    public float nmsThreshold() {
        return nmsThreshold;
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

    /** The GPU to run on (CUDA execution provider), or -1 for the CPU. */
    public int gpu() {
        return gpu;
    }

    public static final class Builder {
        private Path modelPath;
        private String modelType;
        private Path modelConfig;
        private Precision precision = parsePrecision(DEFAULT_PRECISION);
        private String precisionText;
        private String size;
        private Float scoreThreshold = DEFAULT_SCORE_THRESHOLD;
        private Float nmsThreshold;
        private long maxImageBytes = DEFAULT_MAX_IMAGE_BYTES;
        private long maxImagePixels = DEFAULT_MAX_IMAGE_PIXELS;
        private int intraOpThreads = 1;
        private int gpu = -1;

        /** The ONNX file; null (the default) for the shipped insightface-mnet025-v2 model. */
        public Builder modelPath(Path modelPath) {
            this.modelPath = modelPath;
            return this;
        }

        /** A built-in model description, see {@link ModelDescriptor#PRESETS}; default insightface-mnet025-v2. */
        public Builder modelType(String modelType) {
            this.modelType = modelType;
            return this;
        }

        /** A model description file, for exports no preset covers. */
        public Builder modelConfig(Path modelConfig) {
            this.modelConfig = modelConfig;
            return this;
        }

        /** {@code auto}, {@code fp32} or {@code int8} (the build's quantized default model); null for the default, auto. */
        public Builder precision(String precision) {
            precisionText = precision;
            this.precision = parsePrecision(precision == null ? DEFAULT_PRECISION : precision);
            return this;
        }

        /** Null for a name that is not a precision. */
        private static Precision parsePrecision(String name) {
            String value = name.trim().toUpperCase(java.util.Locale.ROOT);
            for (Precision precision : Precision.values()) {
                if (precision.name().equals(value)) {
                    return precision;
                }
            }
            return null;
        }

        /** A {@link SizePolicy}; null (the default) for the model's own default. */
        public Builder size(String size) {
            this.size = size;
            return this;
        }

        /**
         * A score threshold as users write it: a number, or {@code model} for the model description's.
         *
         * @throws IllegalArgumentException saying what to write, for the caller to prefix with its flag's name
         */
        public Builder scoreThreshold(String numberOrModel) {
            String value = numberOrModel.trim();
            if (value.equalsIgnoreCase("model")) {
                return scoreThreshold((Float) null);
            }
            try {
                return scoreThreshold(Float.parseFloat(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + numberOrModel + "': give a number between 0 and 1, or 'model'");
            }
        }

        /** Null uses the model description's threshold (the reference pipeline's). Default 0.5. */
        public Builder scoreThreshold(Float scoreThreshold) {
            this.scoreThreshold = scoreThreshold;
            return this;
        }

        /** Null (the default) uses the model description's NMS IoU threshold. */
        public Builder nmsThreshold(Float nmsThreshold) {
            this.nmsThreshold = nmsThreshold;
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

        /** {@code cpu} (default), {@code gpu} or {@code gpu:N}: where ONNX Runtime runs the model. */
        public Builder device(String device) {
            String value = device == null ? "cpu" : device.trim().toLowerCase(java.util.Locale.ROOT);
            if (value.equals("cpu")) {
                gpu = -1;
            } else if (value.matches("gpu(:\\d+)?")) {
                gpu = value.equals("gpu") ? 0 : Integer.parseInt(value.substring(4));
            } else {
                gpu = -2;
            }
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
            ModelDescriptor model = null;
            try {
                if (modelType != null && modelConfig != null) {
                    problems.add("--model-type and --model-config: give one of them");
                } else if (modelConfig != null) {
                    model = ModelDescriptor.fromFile(modelConfig);
                } else {
                    model = ModelDescriptor.preset(modelType == null ? ModelDescriptor.DEFAULT_PRESET : modelType);
                }
                if (model != null && modelPath == null && !ModelDescriptor.DEFAULT_PRESET.equals(model.name)) {
                    problems.add("--model PATH is needed with model type " + model.name
                            + ": only the " + ModelDescriptor.DEFAULT_PRESET + " model ships with FaceStream");
                }
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            if (precision == null) {
                problems.add("--precision " + precisionText + ": choose auto, fp32 or int8");
            } else if (precision == Precision.INT8 && modelPath != null) {
                problems.add("--precision int8: only the default model has an int8 build (made when FaceStream is built); "
                        + "FaceStream does not quantize other model files, so use fp32 with --model");
            }
            SizePolicy sizePolicy = null;
            try {
                String chosen = size != null ? size : model != null && model.defaultSize != null ? model.defaultSize : "letterbox:640";
                sizePolicy = SizePolicy.parse(chosen);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            if (scoreThreshold != null && !(scoreThreshold >= 0 && scoreThreshold <= 1)) {
                problems.add("--score-threshold " + scoreThreshold + ": must be between 0 and 1 (or 'model')");
            }
            if (nmsThreshold != null && !(nmsThreshold > 0 && nmsThreshold <= 1)) {
                problems.add("--nms-threshold " + nmsThreshold + ": must be in (0, 1]");
            }
            if (maxImageBytes <= 0) {
                problems.add("--max-image-bytes " + maxImageBytes + ": must be positive");
            }
            if (maxImagePixels <= 0) {
                problems.add("--max-image-pixels " + maxImagePixels + ": must be positive");
            }
            if (gpu < -1) {
                problems.add("--device: choose cpu, gpu or gpu:N");
            }
            if (intraOpThreads < 1) {
                problems.add("intra-op threads " + intraOpThreads + ": must be at least 1");
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid detector settings:\n  " + String.join("\n  ", problems));
            }
            return new DetectorSettings(this, model, sizePolicy);
        }
    }
}
