package io.facestream.cli;

import io.facestream.detect.DetectorSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Command-line flags of the detector, shared by every command that detects. */
public class DetectorOptions {

    @Option(names = "--model", paramLabel = "PATH",
            description = "RetinaFace ONNX export to load (insightface layout). Default: mnet.25_v2.onnx from npm retinaface@0.0.6, shipped in the jar.")
    Path model;

    @Option(names = "--score-threshold", paramLabel = "P", defaultValue = "0.5",
            description = "Keep faces scoring at least this (0..1). Default: ${DEFAULT-VALUE}.")
    float scoreThreshold;

    @Option(names = "--nms-threshold", paramLabel = "IOU", defaultValue = "0.4",
            description = "Non-maximum suppression IoU threshold. Default: ${DEFAULT-VALUE}.")
    float nmsThreshold;

    @Option(names = "--max-image-bytes", paramLabel = "BYTES", defaultValue = "16777216",
            description = "Larger encoded images become PAYLOAD_TOO_LARGE dead letters. Default: ${DEFAULT-VALUE} (16 MiB).")
    long maxImageBytes;

    @Option(names = "--max-image-pixels", paramLabel = "PIXELS", defaultValue = "64000000",
            description = "Images with more pixels (read from the header before decoding) become IMAGE_TOO_LARGE dead letters. Default: ${DEFAULT-VALUE}.")
    long maxImagePixels;

    public DetectorSettings settings() {
        return DetectorSettings.builder()
                .modelPath(model)
                .scoreThreshold(scoreThreshold)
                .nmsThreshold(nmsThreshold)
                .maxImageBytes(maxImageBytes)
                .maxImagePixels(maxImagePixels)
                .build();
    }
}
