package io.facestream.sql;

import io.facestream.config.OptionNames;
import io.facestream.config.Problems;
import io.facestream.detect.DetectorOptions;
import io.facestream.detect.DetectorSettings;
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
 * Settings of {@link DetectFaces}: the detector's ({@link DetectorOptions}), the inference threads
 * per subtask and how long one image may take ({@link JobOptions#INFERENCE_THREADS},
 * {@link JobOptions#TIMEOUT}). In SQL they are the job's options under the prefix
 * {@code facestream.} ({@code facestream.score-threshold} is the job's {@code --score-threshold}),
 * set with {@code SET 'facestream.score-threshold' = '0.6'} or in the Flink configuration, and read
 * when the query is planned, so a bad value fails the query before it runs.
 *
 * @param inferenceThreads inference threads per parallel subtask, each with its own predictor
 * @param timeout how long one image may take, from the call to its row, before it gives a TIMEOUT row
 */
public record DetectFacesSettings(DetectorSettings detector, int inferenceThreads, Duration timeout) implements Serializable {

    static final String PREFIX = "facestream.";
    static final String REMOVED_MAX_BATCH = PREFIX + "max-batch";
    private static final OptionNames NAMES = OptionNames.prefixed(PREFIX);
    private static final String INVALID = "Invalid FaceStream settings for detect_faces";

    /** Every option {@code detect_faces} reads, each as {@code facestream.KEY}: the detector's and the stage's threads and timeout. */
    public static final List<ConfigOption<?>> OPTIONS = Stream.concat(DetectorOptions.ALL.stream(),
            Stream.of(JobOptions.INFERENCE_THREADS, JobOptions.TIMEOUT)).toList();

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
        ReadableConfig options = new DelegatingConfiguration(Configuration.fromMap(config.toMap()), PREFIX);
        Problems problems = new Problems(NAMES);
        String removedMaxBatch = config.toMap().get(REMOVED_MAX_BATCH);
        if (removedMaxBatch != null) {
            // A query that still sets micro-batching's option is told so rather than silently run without it.
            problems.add(REMOVED_MAX_BATCH + " " + removedMaxBatch + ": removed, with micro-batching (it did not pay on a CPU, "
                    + "see BENCHMARKS.md); every image runs alone. Remove the option.");
        }
        DetectorSettings detector = DetectorSettings.read(options, problems);
        DetectFacesSettings settings = read(options, problems, detector);
        problems.throwIfAny(INVALID, "Set them with SET 'facestream.<option>' = '<value>' or in the Flink configuration.");
        return settings;
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
        Duration flinkTimeout = config.get(ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_TIMEOUT);
        String timeoutKey = key(JobOptions.TIMEOUT);
        if (timeout.toMillis() >= flinkTimeout.toMillis()) {
            throw new IllegalArgumentException(String.format(
                    "%s (%d ms) must be below %s (%d ms): past that Flink fails the query instead of detect_faces "
                            + "returning a TIMEOUT row. Lower %s or raise %s.", timeoutKey, timeout.toMillis(),
                    ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_TIMEOUT.key(), flinkTimeout.toMillis(), timeoutKey,
                    ExecutionConfigOptions.TABLE_EXEC_ASYNC_TABLE_TIMEOUT.key()));
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
            problems.throwIfAny(INVALID);
            return settings;
        }
    }
}
