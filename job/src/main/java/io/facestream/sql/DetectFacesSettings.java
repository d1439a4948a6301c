package io.facestream.sql;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.facestream.detect.DetectorSettings;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.ExecutionConfigOptions;

/**
 * Settings of {@link DetectFaces}: the detector's, the inference threads per subtask and how long
 * one image may take. Validated when built. In SQL they are configuration options named after the
 * job's flags ({@code facestream.score-threshold} is {@code --score-threshold}), set with
 * {@code SET 'facestream.score-threshold' = '0.6'} or in the Flink configuration, and read when
 * the query is planned, so a bad value fails the query before it runs.
 */
public final class DetectFacesSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    private static final String PREFIX = "facestream.";
    private static final String INVALID = "Invalid FaceStream settings for detect_faces:\n  ";

    public static final ConfigOption<String> MODEL = key(PREFIX + "model").stringType().noDefaultValue()
            .withDescription("RetinaFace ONNX export to load, a path every TaskManager can read. Default: the model shipped in the jar.");
    public static final ConfigOption<String> MODEL_TYPE = key(PREFIX + "model-type").stringType().noDefaultValue()
            .withDescription("Built-in description of the export (as --model-type). Default: insightface-mnet025-v2.");
    public static final ConfigOption<String> MODEL_CONFIG = key(PREFIX + "model-config").stringType().noDefaultValue()
            .withDescription("A JSON model description for exports no built-in type covers.");
    public static final ConfigOption<String> PRECISION = key(PREFIX + "precision").stringType().defaultValue(DetectorSettings.DEFAULT_PRECISION)
            .withDescription("auto, fp32, or int8 for the build's quantized copy of the default model (as --precision).");
    public static final ConfigOption<String> SIZE = key(PREFIX + "size").stringType().noDefaultValue()
            .withDescription("How images become the model input (as --size). Default: the model type's.");
    public static final ConfigOption<String> SCORE_THRESHOLD = key(PREFIX + "score-threshold").stringType().defaultValue("0.5")
            .withDescription("Keep faces scoring at least this (0..1), or 'model' for the model type's own threshold.");
    public static final ConfigOption<Float> NMS_THRESHOLD = key(PREFIX + "nms-threshold").floatType().noDefaultValue()
            .withDescription("Non-maximum suppression IoU threshold. Default: the model type's.");
    public static final ConfigOption<Long> MAX_IMAGE_BYTES = key(PREFIX + "max-image-bytes").longType()
            .defaultValue(DetectorSettings.DEFAULT_MAX_IMAGE_BYTES)
            .withDescription("Larger encoded images give a PAYLOAD_TOO_LARGE error row.");
    public static final ConfigOption<Long> MAX_IMAGE_PIXELS = key(PREFIX + "max-image-pixels").longType()
            .defaultValue(DetectorSettings.DEFAULT_MAX_IMAGE_PIXELS)
            .withDescription("Images with more pixels (read from the header before decoding) give an IMAGE_TOO_LARGE error row.");
    public static final ConfigOption<String> DEVICE = key(PREFIX + "device").stringType().defaultValue("cpu")
            .withDescription("cpu, gpu or gpu:N: where ONNX Runtime runs the model.");
    /** Micro-batching's option, removed: a query that still sets it is told so rather than silently run without it. */
    static final ConfigOption<String> REMOVED_MAX_BATCH = key(PREFIX + "max-batch").stringType().noDefaultValue();
    public static final ConfigOption<Integer> INFERENCE_THREADS = key(PREFIX + "inference-threads").intType()
            .defaultValue(1)
            .withDescription("Inference threads per parallel subtask, each with its own predictor.");
    public static final ConfigOption<Duration> TIMEOUT = key(PREFIX + "timeout").durationType()
            .defaultValue(Duration.ofSeconds(30))
            .withDescription("An image taking longer gives a TIMEOUT error row; must stay below table.exec.async-table.timeout.");

    private final DetectorSettings detector;
    private final int inferenceThreads;
    private final long timeoutMillis;

    private DetectFacesSettings(Builder b) {
        this.detector = b.detector;
        this.inferenceThreads = b.inferenceThreads;
        this.timeoutMillis = b.timeout.toMillis();
    }

    public static Builder builder() {
        return new Builder();
    }

    public static DetectFacesSettings defaults() {
        return builder().build();
    }

    /**
     * The settings the {@code facestream.*} options in {@code config} give.
     *
     * @throws IllegalArgumentException naming every invalid option and what to do
     */
    public static DetectFacesSettings fromConfig(ReadableConfig config) {
        List<String> problems = new ArrayList<>();
        DetectorSettings.Builder detector = DetectorSettings.builder();
        read(config, MODEL, problems, value -> detector.modelPath(Path.of(value)));
        read(config, MODEL_TYPE, problems, detector::modelType);
        read(config, MODEL_CONFIG, problems, value -> detector.modelConfig(Path.of(value)));
        read(config, PRECISION, problems, detector::precision);
        read(config, SIZE, problems, detector::size);
        read(config, SCORE_THRESHOLD, problems, value -> {
            try {
                detector.scoreThreshold(value);
            } catch (IllegalArgumentException e) {
                problems.add(SCORE_THRESHOLD.key() + " " + e.getMessage());
            }
        });
        read(config, NMS_THRESHOLD, problems, detector::nmsThreshold);
        read(config, MAX_IMAGE_BYTES, problems, detector::maxImageBytes);
        read(config, MAX_IMAGE_PIXELS, problems, detector::maxImagePixels);
        read(config, DEVICE, problems, detector::device);
        config.getOptional(REMOVED_MAX_BATCH).ifPresent(value -> problems.add(REMOVED_MAX_BATCH.key() + " " + value
                + ": removed, with micro-batching (it did not pay on a CPU, see BENCHMARKS.md); every image runs alone. "
                + "Remove the option."));
        Builder settings = builder();
        read(config, INFERENCE_THREADS, problems, settings::inferenceThreads);
        read(config, TIMEOUT, problems, settings::timeout);
        try {
            settings.detector(detector.build());
        } catch (IllegalArgumentException e) {
            // DetectorSettings names the job's flags; each option here is its flag's name after the prefix.
            problems.add(e.getMessage().replaceFirst("^Invalid detector settings:\\s*", "")
                    .replaceAll("--([a-z-]+)", PREFIX + "$1"));
        }
        problems.addAll(settings.problems());
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(INVALID + String.join("\n  ", problems)
                    + "\nSet them with SET 'facestream.<option>' = '<value>' or in the Flink configuration.");
        }
        return new DetectFacesSettings(settings);
    }

    private static <T> void read(ReadableConfig config, ConfigOption<T> option, List<String> problems, Consumer<T> target) {
        try {
            T value = config.getOptional(option).orElseGet(option::defaultValue);
            if (value != null) {
                target.accept(value);
            }
        } catch (IllegalArgumentException e) {
            problems.add(option.key() + ": " + e.getMessage());
        }
    }

    /**
     * Flink fails the job when an async call outlives {@code table.exec.async-table.timeout}; this
     * function's own timeout must end first, so that a slow image gives a TIMEOUT row instead.
     *
     * @throws IllegalArgumentException when it would not
     */
    public void checkWithin(ReadableConfig config) {
        Duration flinkTimeout = config.get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_TIMEOUT);
        if (timeoutMillis >= flinkTimeout.toMillis()) {
            throw new IllegalArgumentException(String.format(
                    "%s (%d ms) must be below %s (%d ms): past that Flink fails the query instead of detect_faces "
                            + "returning a TIMEOUT row. Lower %s or raise %s.", TIMEOUT.key(), timeoutMillis,
                    ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_TIMEOUT.key(), flinkTimeout.toMillis(), TIMEOUT.key(),
                    ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_TIMEOUT.key()));
        }
    }

    public DetectorSettings detector() {
        return detector;
    }

    /** Inference threads per parallel subtask, each with its own predictor. */
    public int inferenceThreads() {
        return inferenceThreads;
    }

    /** How long one image may take, from the call to its row, before it gives a TIMEOUT row. */
    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    public static final class Builder {
        private DetectorSettings detector = DetectorSettings.defaults();
        private int inferenceThreads = INFERENCE_THREADS.defaultValue();
        private Duration timeout = TIMEOUT.defaultValue();

        public Builder detector(DetectorSettings detector) {
            this.detector = Objects.requireNonNull(detector);
            return this;
        }

        public Builder inferenceThreads(int inferenceThreads) {
            this.inferenceThreads = inferenceThreads;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting and what to do */
        public DetectFacesSettings build() {
            List<String> problems = problems();
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException(INVALID + String.join("\n  ", problems));
            }
            return new DetectFacesSettings(this);
        }

        private List<String> problems() {
            List<String> problems = new ArrayList<>();
            if (inferenceThreads < 1) {
                problems.add(INFERENCE_THREADS.key() + " " + inferenceThreads + ": must be at least 1");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                problems.add(TIMEOUT.key() + " " + timeout + ": must be positive");
            }
            return problems;
        }
    }
}
