package io.facestream.sql;

import io.facestream.config.OptionNames;
import io.facestream.config.Problems;
import io.facestream.detect.DetectorOptions;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceImagesOptions;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.job.JobOptions;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.DelegatingConfiguration;
import org.apache.flink.configuration.ReadableConfig;
import org.apache.flink.table.api.config.ExecutionConfigOptions;

/**
 * Settings of {@link DetectFaces}, and the detection part of {@link AnonymizeFaces}'s: the detector's
 * ({@link DetectorOptions}), the inference threads per subtask and how long one image may take
 * ({@link JobOptions#INFERENCE_THREADS}, {@link JobOptions#TIMEOUT}). In SQL they are the job's options under the prefix
 * {@code facestream.} ({@code facestream.score-threshold} is the job's {@code --score-threshold}),
 * set with {@code SET 'facestream.score-threshold' = '0.6'} or in the Flink configuration, and read
 * when the query is planned, so a bad value fails the query before it runs.
 *
 * @param inferenceThreads inference threads per parallel subtask, each with its own predictor
 * @param timeout how long one image may take, from the call to its row, before it gives a TIMEOUT row
 *                (NULL from {@code anonymize_faces})
 */
public record DetectFacesSettings(DetectorSettings detector, int inferenceThreads, Duration timeout) implements Serializable {

    static final String PREFIX = "facestream.";
    static final String REMOVED_MAX_BATCH = PREFIX + "max-batch";
    private static final OptionNames NAMES = OptionNames.prefixed(PREFIX);
    private static final String INVALID = "Invalid FaceStream settings for ";
    private static final String WHERE_TO_SET = "Set them with SET 'facestream.<option>' = '<value>' or in the Flink configuration.";

    /** The anonymized image's options, which {@code anonymize_faces} reads besides those of the detection. */
    static final List<ConfigOption<?>> ANONYMIZED_IMAGE_OPTIONS = List.of(FaceImagesOptions.ANONYMIZE_STYLE,
            FaceImagesOptions.ANONYMIZE_MARGIN, FaceImagesOptions.ANONYMIZE_THRESHOLD, FaceImagesOptions.ANONYMIZED_FORMAT,
            FaceImagesOptions.JPEG_QUALITY);

    /**
     * Every option of the SQL functions, each as {@code facestream.KEY}: the detector's and the stage's threads and
     * timeout, which both read, then the anonymized image's, which only {@code anonymize_faces} reads.
     */
    public static final List<ConfigOption<?>> OPTIONS = Stream.<List<ConfigOption<?>>>of(DetectorOptions.ALL,
            List.of(JobOptions.INFERENCE_THREADS, JobOptions.TIMEOUT), ANONYMIZED_IMAGE_OPTIONS).flatMap(List::stream).toList();

    /** The option's name in SQL. */
    public static String key(ConfigOption<?> option) {
        return NAMES.of(option);
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
        Problems problems = problems();
        DetectFacesSettings settings = read(config, problems);
        problems.throwIfAny(INVALID + "detect_faces", WHERE_TO_SET);
        return settings;
    }

    /** Gathers the problems of the {@code facestream.*} options, each named as SQL spells it. */
    static Problems problems() {
        return new Problems(NAMES);
    }

    /** The {@code facestream.*} options in {@code config}, without the prefix. */
    static ReadableConfig options(ReadableConfig config) {
        return new DelegatingConfiguration(Configuration.fromMap(config.toMap()), PREFIX);
    }

    /** @throws IllegalArgumentException naming every problem of {@code function}'s settings, and where to set them */
    static void throwIfAny(Problems problems, String function) {
        problems.throwIfAny(INVALID + function, WHERE_TO_SET);
    }

    /** The settings the {@code facestream.*} options in {@code config} give, adding what is wrong to {@code problems} (then null). */
    static DetectFacesSettings read(ReadableConfig config, Problems problems) {
        ReadableConfig options = options(config);
        String removedMaxBatch = config.toMap().get(REMOVED_MAX_BATCH);
        if (removedMaxBatch != null) {
            // A query that still sets micro-batching's option is told so rather than silently run without it.
            problems.add(REMOVED_MAX_BATCH + " " + removedMaxBatch + ": removed, with micro-batching (it did not pay on a CPU, "
                    + "see BENCHMARKS.md); every image runs alone. Remove the option.");
        }
        DetectorSettings detector = DetectorSettings.read(options, problems);
        return read(options, problems, detector);
    }

    private static DetectFacesSettings read(ReadableConfig options, Problems problems, DetectorSettings detector) {
        int inferenceThreads = FaceDetectionSettings.inferenceThreads(options, problems);
        Duration timeout = FaceDetectionSettings.timeout(options, problems);
        return problems.isEmpty() ? new DetectFacesSettings(detector, inferenceThreads, timeout) : null;
    }

    /**
     * Flink fails the job when an async call outlives {@code table.exec.async-table.timeout}; this
     * function's own timeout must end first, so that a slow image gives a TIMEOUT row instead.
     *
     * @throws IllegalArgumentException when it would not
     */
    public void checkWithin(ReadableConfig config) {
        checkWithin(config, ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_TIMEOUT, "detect_faces returning a TIMEOUT row");
    }

    /**
     * As {@link #checkWithin(ReadableConfig)}, for a function whose calls Flink times out after {@code flinkTimeout}.
     *
     * @param instead what the function gives for a slow image, that Flink's timeout would replace with a failure
     */
    void checkWithin(ReadableConfig config, ConfigOption<Duration> flinkTimeout, String instead) {
        Duration flinkLimit = config.get(flinkTimeout);
        String timeoutKey = key(JobOptions.TIMEOUT);
        if (timeout.toMillis() >= flinkLimit.toMillis()) {
            throw new IllegalArgumentException(String.format(
                    "%s (%d ms) must be below %s (%d ms): past that Flink fails the query instead of %s. Lower %s or raise %s.",
                    timeoutKey, timeout.toMillis(), flinkTimeout.key(), flinkLimit.toMillis(), instead, timeoutKey,
                    flinkTimeout.key()));
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings in code (the Table API): the detector's settings whole, and the function's two options. */
    public static final class Builder {
        private final Configuration options = new Configuration();
        private DetectorSettings detector = DetectorSettings.defaults();

        public Builder detector(DetectorSettings detector) {
            this.detector = Objects.requireNonNull(detector);
            return this;
        }

        public Builder inferenceThreads(int inferenceThreads) {
            options.set(JobOptions.INFERENCE_THREADS, inferenceThreads);
            return this;
        }

        public Builder timeout(Duration timeout) {
            options.set(JobOptions.TIMEOUT, Objects.requireNonNull(timeout));
            return this;
        }

        /** @throws IllegalArgumentException naming every invalid setting and what to do */
        public DetectFacesSettings build() {
            Problems problems = new Problems(NAMES);
            DetectFacesSettings settings = read(options, problems, detector);
            // In code the settings may be for either function.
            problems.throwIfAny("Invalid FaceStream detection settings");
            return settings;
        }
    }
}
