package io.facestream.cli;

import io.facestream.detect.DetectorSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Command-line flags of the detector, shared by every command that detects. */
public class DetectorOptions {

    @Option(names = "--model", paramLabel = "PATH",
            description = "RetinaFace ONNX export to load. Default: mnet.25_v2.onnx from npm retinaface@0.0.6, shipped in the jar.")
    Path model;

    @Option(names = "--model-type", paramLabel = "NAME",
            description = "Built-in description of the export: insightface-mnet025-v2 (default), insightface-mnet025-v1, "
                    + "biubug6-resnet50, biubug6-mnet025, biubug6-1mb-mnet025. Default: insightface-mnet025-v2, or the type --model-config describes.")
    String modelType;

    @Option(names = "--model-config", paramLabel = "FILE",
            description = "A JSON model description for exports no built-in type covers (see docs/models.md). Default: none.")
    Path modelConfig;

    @Option(names = "--precision", paramLabel = "auto|fp32|int8", defaultValue = DetectorSettings.DEFAULT_PRECISION,
            description = "Arithmetic of the model: int8 is a statically quantized copy of the default model that the build "
                    + "derives from it (not for --model files), fp32 the model as published; auto is int8 for the default model "
                    + "on the CPU, fp32 for a --model file or on a GPU. Default: ${DEFAULT-VALUE}; speed and accuracy of both in BENCHMARKS.md.")
    String precision;

    @Option(names = "--size", paramLabel = "POLICY",
            description = "How images become the model input: letterbox:N, native, seed, fit:L or multi[:L1,L2,...]. "
                    + "Default: the model type's (fit:640 for the default model: long side 640, aspect kept; seed for biubug6 types).")
    String size;

    @Option(names = "--score-threshold", paramLabel = "P|model", defaultValue = "0.5",
            description = "Keep faces scoring at least this (0..1), or 'model' for the model type's reference pipeline "
                    + "threshold (0.9 for the biubug6 seed). Default: ${DEFAULT-VALUE}.")
    String scoreThreshold;

    @Option(names = "--nms-threshold", paramLabel = "IOU",
            description = "Non-maximum suppression IoU threshold. Default: the model type's (0.4).")
    Float nmsThreshold;

    @Option(names = "--max-image-bytes", paramLabel = "BYTES", defaultValue = "16777216",
            description = "Larger encoded images become PAYLOAD_TOO_LARGE dead letters. Default: ${DEFAULT-VALUE} (16 MiB).")
    long maxImageBytes;

    @Option(names = "--max-image-pixels", paramLabel = "PIXELS", defaultValue = "64000000",
            description = "Images with more pixels (read from the header before decoding) become IMAGE_TOO_LARGE dead letters. Default: ${DEFAULT-VALUE}.")
    long maxImagePixels;

    @Option(names = "--device", paramLabel = "cpu|gpu[:N]", defaultValue = "cpu",
            description = "Where ONNX Runtime runs the model. gpu needs the job built with -Pgpu (onnxruntime_gpu), "
                    + "CUDA 12 and cuDNN 9; without a usable GPU it says so in the log and runs on the CPU. Default: ${DEFAULT-VALUE}.")
    String device;


    public DetectorSettings settings() {
        DetectorSettings.Builder builder = DetectorSettings.builder()
                .modelPath(model)
                .modelType(modelType)
                .modelConfig(modelConfig)
                .precision(precision)
                .size(size)
                .nmsThreshold(nmsThreshold)
                .maxImageBytes(maxImageBytes)
                .maxImagePixels(maxImagePixels)
                .device(device);
        try {
            builder.scoreThreshold(scoreThreshold);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--score-threshold " + e.getMessage());
        }
        return builder.build();
    }
}
