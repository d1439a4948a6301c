package io.facestream.detect;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * The detector's options, declared once: the command line has a flag {@code --KEY} for each, a
 * {@code --config} file the key itself, SQL {@code facestream.KEY}. An option without a default
 * says in its description what applies when it is not set.
 */
public final class DetectorOptions {

    private DetectorOptions() {}

    public static final ConfigOption<String> MODEL = key("model").stringType().noDefaultValue()
            .withDescription("RetinaFace ONNX export to load; on a cluster a path every TaskManager can read. "
                    + "Default: mnet.25_v2.onnx from npm retinaface@0.0.6, shipped in the jar.");

    public static final ConfigOption<String> MODEL_TYPE = key("model-type").stringType().noDefaultValue()
            .withDescription("Built-in description of the export: " + String.join(", ", ModelDescriptor.PRESETS) + ". "
                    + "Default: " + ModelDescriptor.DEFAULT_PRESET + ", or the type model-config describes.");

    public static final ConfigOption<String> MODEL_CONFIG = key("model-config").stringType().noDefaultValue()
            .withDescription("A JSON model description for exports no built-in type covers (see docs/models.md). Default: none.");

    public static final ConfigOption<String> PRECISION = key("precision").stringType().defaultValue("auto")
            .withDescription("Arithmetic of the model: int8 is a statically quantized copy of the default model that the build "
                    + "derives from it (not for model files of one's own), fp32 the model as published; auto is int8 for the "
                    + "default model on the CPU, fp32 for a model file of one's own or on a GPU. Speed and accuracy of both in "
                    + "BENCHMARKS.md.");

    public static final ConfigOption<String> SIZE = key("size").stringType().noDefaultValue()
            .withDescription("How images become the model input: letterbox:N, native, seed, fit:L or multi[:L1,L2,...]. "
                    + "Default: the model type's (fit:640 for the default model: long side 640, aspect kept; seed for biubug6 types).");

    /** A number or {@code model}, hence a string. */
    public static final ConfigOption<String> SCORE_THRESHOLD = key("score-threshold").stringType().defaultValue("0.5")
            .withDescription("Keep faces scoring at least this (0..1), or 'model' for the model type's reference pipeline "
                    + "threshold (0.9 for the biubug6 seed).");

    public static final ConfigOption<Float> NMS_THRESHOLD = key("nms-threshold").floatType().noDefaultValue()
            .withDescription("Non-maximum suppression IoU threshold. Default: the model type's (0.4).");

    public static final ConfigOption<Long> MAX_IMAGE_BYTES = key("max-image-bytes").longType().defaultValue(16L * 1024 * 1024)
            .withDescription("Larger encoded images are refused as PAYLOAD_TOO_LARGE (16 MiB by default).");

    /** 64 megapixels: a 8000x8000 photo passes, a decompression bomb does not. */
    public static final ConfigOption<Long> MAX_IMAGE_PIXELS = key("max-image-pixels").longType().defaultValue(64_000_000L)
            .withDescription("Images with more pixels (read from the header before decoding) are refused as IMAGE_TOO_LARGE.");

    public static final ConfigOption<String> DEVICE = key("device").stringType().defaultValue("cpu")
            .withDescription("Where ONNX Runtime runs the model: cpu, gpu or gpu:N. gpu needs the job built with -Pgpu "
                    + "(onnxruntime_gpu), CUDA 12 and cuDNN 9; without a usable GPU it says so in the log and runs on the CPU.");

    /** Not a flag: the tools and the job run one ONNX Runtime thread per inference thread; benchmarks try more. */
    public static final ConfigOption<Integer> INTRA_OP_THREADS = key("intra-op-threads").intType().defaultValue(1)
            .withDescription("ONNX Runtime threads per inference thread.");

    /** Every option the detector reads. */
    public static final List<ConfigOption<?>> ALL = List.of(MODEL, MODEL_TYPE, MODEL_CONFIG, PRECISION, SIZE, SCORE_THRESHOLD,
            NMS_THRESHOLD, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, DEVICE, INTRA_OP_THREADS);
}
