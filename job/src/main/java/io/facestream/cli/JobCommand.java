package io.facestream.cli;

import io.facestream.job.FaceDetectionSettings;
import io.facestream.job.FaceStreamJob;
import io.facestream.job.KafkaSettings;
import io.facestream.job.StartupChecks;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The streaming job on Kafka: what {@code flink run facestream.jar job ...} submits. */
@Command(name = "job", mixinStandardHelpOptions = true,
        description = "Run the FaceStream job: image events from Kafka, detections and dead letters to Kafka (exactly-once by default).")
final class JobCommand implements Callable<Integer> {

    @Mixin
    KafkaOptions kafka = new KafkaOptions();

    @Mixin
    DetectionStageOptions detection = new DetectionStageOptions();

    @Option(names = "--parallelism", paramLabel = "N", defaultValue = "0",
            description = "Parallel subtasks (one model each); 0 = the cluster's default. Default: ${DEFAULT-VALUE}.")
    int parallelism;

    @Option(names = "--checkpoint-interval", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "Checkpoint interval; with exactly-once delivery, results become visible to read_committed consumers at each checkpoint. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration checkpointInterval;

    @Option(names = "--job-name", paramLabel = "NAME", defaultValue = FaceStreamJob.NAME, description = "Default: ${DEFAULT-VALUE}.")
    String jobName;

    @Override
    public Integer call() throws Exception {
        KafkaSettings kafkaSettings = kafka.settings();
        FaceDetectionSettings detectionSettings = detection.settings();
        if (parallelism < 0) {
            throw new IllegalArgumentException("--parallelism " + parallelism + ": must be 0 (cluster default) or positive");
        }
        if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
            throw new IllegalArgumentException("--checkpoint-interval " + checkpointInterval + ": must be positive");
        }
        // At-least-once writes no transactions, so only exactly-once needs each checkpoint within a transaction's life.
        if (kafkaSettings.deliveryGuarantee() == DeliveryGuarantee.EXACTLY_ONCE
                && checkpointInterval.compareTo(kafkaSettings.transactionTimeout()) >= 0) {
            throw new IllegalArgumentException("--checkpoint-interval " + checkpointInterval
                    + ": must be shorter than --transaction-timeout " + kafkaSettings.transactionTimeout()
                    + ", or Kafka aborts the open transactions before they are committed");
        }
        StartupChecks.checkModel(detectionSettings.detector());
        StartupChecks.checkKafka(kafkaSettings);
        kafkaSettings = StartupChecks.registerSchemas(kafkaSettings);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        FaceStreamJob.configure(env, checkpointInterval);
        FaceStreamJob.onKafka(kafkaSettings, detectionSettings).build(env);
        env.execute(jobName);
        return 0;
    }
}
