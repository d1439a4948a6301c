package io.facestream.detect;

import static io.facestream.detect.DetectorOptions.DEVICE;
import static io.facestream.detect.DetectorOptions.INTRA_OP_THREADS;
import static io.facestream.detect.DetectorOptions.MAX_IMAGE_BYTES;
import static io.facestream.detect.DetectorOptions.MAX_IMAGE_PIXELS;
import static io.facestream.detect.DetectorOptions.MODEL;
import static io.facestream.detect.DetectorOptions.MODEL_CONFIG;
import static io.facestream.detect.DetectorOptions.MODEL_TYPE;
import static io.facestream.detect.DetectorOptions.NMS_THRESHOLD;
import static io.facestream.detect.DetectorOptions.PRECISION;
import static io.facestream.detect.DetectorOptions.SCORE_THRESHOLD;
import static io.facestream.detect.DetectorOptions.SIZE;

import io.facestream.config.OptionNames;
import io.facestream.config.OptionsBuilder;
import io.facestream.config.Problems;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * How to detect faces: which model (file and description), how images become its input, and the
 * thresholds; read from the {@link DetectorOptions} and validated then, so a bad setting fails
 * before a job starts rather than inside a running task.
 *
 * @param modelFile the ONNX file to load, or null for the default model shipped in the jar
 * @param precision never AUTO: the precision {@code auto} settled to
 * @param gpu the GPU to run on (CUDA execution provider), or -1 for the CPU
 */
public record DetectorSettings(String modelFile, ModelDescriptor model, Precision precision, SizePolicy size,
                               float scoreThreshold, float nmsThreshold, long maxImageBytes, long maxImagePixels,
                               int intraOpThreads, int gpu) implements Serializable {


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

    /** The ONNX file to load, or null for the default model shipped in the jar. */
    public Path modelPath() {
        return modelFile == null ? null : Path.of(modelFile);
    }

    public static DetectorSettings defaults() {
        return from(new Configuration());
    }

    /** The settings {@code config} gives, its options named by their keys in messages. */
    public static DetectorSettings from(ReadableConfig config) {
        return from(config, OptionNames.KEYS);
    }

    /**
     * The settings {@code config} gives.
     *
     * @throws IllegalArgumentException naming every invalid option, as {@code names} spells it, and what to do
     */
    public static DetectorSettings from(ReadableConfig config, OptionNames names) {
        Problems problems = new Problems(names);
        DetectorSettings settings = read(config, problems);
        problems.throwIfAny("Invalid detector settings");
        return settings;
    }

    /** The settings {@code config} gives; null when {@code problems}, where its problems go, holds any. */
    public static DetectorSettings read(ReadableConfig config, Problems problems) {
        String modelFile = problems.get(config, MODEL);
        if (modelFile != null && !Files.isRegularFile(Path.of(modelFile))) {
            problems.add(MODEL, modelFile, "no such file; give the path of a RetinaFace .onnx export");
        }
        String modelType = problems.get(config, MODEL_TYPE);
        String modelConfig = problems.get(config, MODEL_CONFIG);
        ModelDescriptor model = null;
        if (modelType != null && modelConfig != null) {
            problems.add(problems.name(MODEL_TYPE) + " and " + problems.name(MODEL_CONFIG) + ": give one of them");
        } else if (modelConfig != null) {
            model = describe(problems, MODEL_CONFIG, () -> ModelDescriptor.fromFile(Path.of(modelConfig)));
        } else {
            model = describe(problems, MODEL_TYPE, () -> ModelDescriptor.preset(modelType == null ? ModelDescriptor.DEFAULT_PRESET : modelType));
        }
        if (model != null && modelFile == null && !ModelDescriptor.DEFAULT_PRESET.equals(model.name)) {
            problems.add(problems.name(MODEL) + " is needed with model type " + model.name
                    + ": only the " + ModelDescriptor.DEFAULT_PRESET + " model ships with FaceStream");
        }

        int gpu = gpu(problems.get(config, DEVICE));
        if (gpu < -1) {
            problems.add(DEVICE, config.get(DEVICE), "choose cpu, gpu or gpu:N");
        }
        String precisionText = problems.get(config, PRECISION);
        Precision precision = parsePrecision(precisionText);
        if (precision == null) {
            problems.add(PRECISION, precisionText, "choose auto, fp32 or int8");
        } else if (precision == Precision.INT8 && modelFile != null) {
            problems.add(PRECISION, "int8", "only the default model has an int8 build (made when FaceStream is built); "
                    + "FaceStream does not quantize other model files, so use fp32 with " + problems.name(MODEL));
        } else if (precision == Precision.AUTO) {
            precision = modelFile == null && gpu < 0 ? Precision.INT8 : Precision.FP32;
        }

        String size = problems.get(config, SIZE);
        SizePolicy sizePolicy = null;
        try {
            sizePolicy = SizePolicy.parse(size != null ? size : model != null && model.defaultSize != null ? model.defaultSize : "letterbox:640");
        } catch (IllegalArgumentException e) {
            problems.add(problems.name(SIZE) + " " + e.getMessage());
        }

        Float scoreThreshold = scoreThreshold(problems, problems.get(config, SCORE_THRESHOLD));
        if (scoreThreshold != null && !(scoreThreshold >= 0 && scoreThreshold <= 1)) {
            problems.add(SCORE_THRESHOLD, scoreThreshold, "must be between 0 and 1 (or 'model')");
        }
        Float nmsThreshold = problems.get(config, NMS_THRESHOLD);
        if (nmsThreshold != null && !(nmsThreshold > 0 && nmsThreshold <= 1)) {
            problems.add(NMS_THRESHOLD, nmsThreshold, "must be in (0, 1]");
        }
        long maxImageBytes = problems.get(config, MAX_IMAGE_BYTES);
        if (maxImageBytes <= 0) {
            problems.add(MAX_IMAGE_BYTES, maxImageBytes, "must be positive");
        }
        long maxImagePixels = problems.get(config, MAX_IMAGE_PIXELS);
        if (maxImagePixels <= 0) {
            problems.add(MAX_IMAGE_PIXELS, maxImagePixels, "must be positive");
        }
        int intraOpThreads = problems.get(config, INTRA_OP_THREADS);
        if (intraOpThreads < 1) {
            problems.add(INTRA_OP_THREADS, intraOpThreads, "must be at least 1");
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new DetectorSettings(modelFile, model, precision, sizePolicy,
                scoreThreshold == null ? model.scoreThreshold : scoreThreshold,
                nmsThreshold == null ? model.nmsThreshold : nmsThreshold,
                maxImageBytes, maxImagePixels, intraOpThreads, gpu);
    }

    private static ModelDescriptor describe(Problems problems, ConfigOption<String> option,
                                            java.util.function.Supplier<ModelDescriptor> description) {
        try {
            return description.get();
        } catch (IllegalArgumentException e) {
            problems.add(problems.name(option) + " " + e.getMessage());
            return null;
        }
    }

    /** Null for a name that is not a precision. */
    private static Precision parsePrecision(String name) {
        String value = name.trim().toUpperCase(Locale.ROOT);
        for (Precision precision : Precision.values()) {
            if (precision.name().equals(value)) {
                return precision;
            }
        }
        return null;
    }

    /** {@code cpu}, {@code gpu} or {@code gpu:N}: -1 for the CPU, the GPU's number, or -2 for anything else. */
    private static int gpu(String device) {
        String value = device.trim().toLowerCase(Locale.ROOT);
        if (value.equals("cpu")) {
            return -1;
        }
        if (value.matches("gpu(:\\d+)?")) {
            return value.equals("gpu") ? 0 : Integer.parseInt(value.substring(4));
        }
        return -2;
    }

    /** A number, or null for {@code model}: the model description's threshold. */
    private static Float scoreThreshold(Problems problems, String numberOrModel) {
        String value = numberOrModel.trim();
        if (value.equalsIgnoreCase("model")) {
            return null;
        }
        try {
            return Float.parseFloat(value);
        } catch (NumberFormatException e) {
            problems.add(SCORE_THRESHOLD, "'" + numberOrModel + "'", "give a number between 0 and 1, or 'model'");
            return 0f;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings in code: each call sets one of the {@link DetectorOptions}; {@link #build()} reads them as {@link #from} does. */
    public static final class Builder extends OptionsBuilder<Builder> {

        /** The ONNX file; null (the default) for the shipped insightface-mnet025-v2 model. */
        public Builder modelPath(Path modelPath) {
            return set(MODEL, modelPath == null ? null : modelPath.toString());
        }

        /** A built-in model description, see {@link ModelDescriptor#PRESETS}; default insightface-mnet025-v2. */
        public Builder modelType(String modelType) {
            return set(MODEL_TYPE, modelType);
        }

        /** A model description file, for exports no preset covers. */
        public Builder modelConfig(Path modelConfig) {
            return set(MODEL_CONFIG, modelConfig == null ? null : modelConfig.toString());
        }

        /** {@code auto}, {@code fp32} or {@code int8}; null for the default. */
        public Builder precision(String precision) {
            return set(PRECISION, precision);
        }

        /** A {@link SizePolicy}; null (the default) for the model's own default. */
        public Builder size(String size) {
            return set(SIZE, size);
        }

        /** A number, or {@code model} for the model description's threshold. */
        public Builder scoreThreshold(String numberOrModel) {
            return set(SCORE_THRESHOLD, numberOrModel);
        }

        /** Null uses the model description's threshold (the reference pipeline's). */
        public Builder scoreThreshold(Float scoreThreshold) {
            return set(SCORE_THRESHOLD, scoreThreshold == null ? "model" : scoreThreshold.toString());
        }

        /** Null (the default) uses the model description's NMS IoU threshold. */
        public Builder nmsThreshold(Float nmsThreshold) {
            return set(NMS_THRESHOLD, nmsThreshold);
        }

        public Builder maxImageBytes(long maxImageBytes) {
            return set(MAX_IMAGE_BYTES, maxImageBytes);
        }

        public Builder maxImagePixels(long maxImagePixels) {
            return set(MAX_IMAGE_PIXELS, maxImagePixels);
        }

        /** {@code cpu} (default), {@code gpu} or {@code gpu:N}: where ONNX Runtime runs the model. */
        public Builder device(String device) {
            return set(DEVICE, device);
        }

        public Builder intraOpThreads(int intraOpThreads) {
            return set(INTRA_OP_THREADS, intraOpThreads);
        }

        /** @throws IllegalArgumentException naming every invalid setting and what to do */
        public DetectorSettings build() {
            return from(options);
        }
    }
}
