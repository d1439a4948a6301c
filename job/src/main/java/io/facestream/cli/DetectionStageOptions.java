package io.facestream.cli;

import io.facestream.job.FaceDetectionSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Command-line flags of the detection stage inside the job. */
public class DetectionStageOptions {

    @Mixin
    DetectorOptions detector = new DetectorOptions();

    @Option(names = "--inference-threads", paramLabel = "N", defaultValue = "1",
            description = "Inference threads per parallel subtask, each with its own predictor. Default: ${DEFAULT-VALUE}.")
    int inferenceThreads;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "An image taking longer becomes a TIMEOUT dead letter. Default: ${DEFAULT-VALUE}.")
    Duration timeout;

    @Option(names = "--capacity", paramLabel = "N", defaultValue = "0",
            description = "Images in flight per subtask; 0 = twice the inference threads. Default: ${DEFAULT-VALUE}.")
    int capacity;

    @Option(names = "--dead-letter-payload-limit", paramLabel = "BYTES", defaultValue = "921600",
            description = "Dead letters carry the original value up to this size, else only its size. Default: ${DEFAULT-VALUE}.")
    int deadLetterPayloadLimit;

    @Option(names = "--image-uri-allow", paramLabel = "LOCATION",
            description = "Allow events to reference images (imageUri) under this URI prefix, e.g. file:///data/images/ "
                    + "or s3://bucket/images/ (repeatable). Default: none, references are refused.")
    List<String> imageUriAllow = new ArrayList<>();

    public FaceDetectionSettings settings() {
        return FaceDetectionSettings.builder()
                .detector(detector.settings())
                .inferenceThreads(inferenceThreads)
                .timeout(timeout)
                .capacity(capacity)
                .deadLetterPayloadLimit(deadLetterPayloadLimit)
                .imageUriAllowList(imageUriAllow)
                .build();
    }
}
