package io.facestream.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * The options of the detection stage and of the job around it, declared once: the command line
 * has a flag {@code --KEY} for each, a {@code --config} file the key itself, and SQL
 * ({@code detect_faces}) reads {@link #INFERENCE_THREADS} and {@link #TIMEOUT} as {@code facestream.KEY}.
 */
public final class JobOptions {

    private JobOptions() {}

    public static final ConfigOption<Integer> INFERENCE_THREADS = key("inference-threads").intType().defaultValue(1)
            .withDescription("Inference threads per parallel subtask, each with its own predictor.");

    public static final ConfigOption<Duration> TIMEOUT = key("timeout").durationType().defaultValue(Duration.ofSeconds(30))
            .withDescription("An image taking longer becomes a TIMEOUT dead letter (in SQL a TIMEOUT error row; there it "
                    + "must stay below table.exec.async-table.timeout).");

    public static final ConfigOption<Integer> CAPACITY = key("capacity").intType().defaultValue(0)
            .withDescription("Images in flight per subtask; 0 = twice the inference threads.");

    public static final ConfigOption<Integer> DEAD_LETTER_PAYLOAD_LIMIT = key("dead-letter-payload-limit").intType()
            .defaultValue(900 * 1024)
            .withDescription("Dead letters carry the original value up to this size in bytes, else only its size.");

    public static final ConfigOption<List<String>> IMAGE_URI_ALLOW = key("image-uri-allow").stringType().asList().noDefaultValue()
            .withDescription("Allow events to reference images (imageUri) under this URI prefix, e.g. file:///data/images/ "
                    + "or s3://bucket/images/ (repeatable). Default: none, references are refused.");

    public static final ConfigOption<Integer> PARALLELISM = key("parallelism").intType().defaultValue(0)
            .withDescription("Parallel subtasks (one model each); 0 = the cluster's default.");

    public static final ConfigOption<Duration> CHECKPOINT_INTERVAL = key("checkpoint-interval").durationType()
            .defaultValue(Duration.ofSeconds(10))
            .withDescription("Checkpoint interval; with exactly-once delivery, results become visible to read_committed "
                    + "consumers at each checkpoint.");

    public static final ConfigOption<String> JOB_NAME = key("job-name").stringType().defaultValue(FaceStreamJob.NAME)
            .withDescription("The name of the Flink job.");

    /** The options of the detection stage ({@link FaceDetectionSettings}), besides the detector's. */
    public static final List<ConfigOption<?>> DETECTION_STAGE = List.of(INFERENCE_THREADS, TIMEOUT, CAPACITY,
            DEAD_LETTER_PAYLOAD_LIMIT, IMAGE_URI_ALLOW);
}
