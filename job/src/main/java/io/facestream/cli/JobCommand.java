package io.facestream.cli;

import java.io.PrintWriter;
import io.facestream.config.OptionNames;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.job.JobOptions;
import io.facestream.job.FaceStreamJob;
import io.facestream.job.KafkaSettings;
import io.facestream.job.StartupChecks;
import io.facestream.track.TrackingSettings;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;

/** The streaming job on Kafka: what {@code flink run facestream.jar job ...} submits. */
@Command(name = "job", mixinStandardHelpOptions = true,
        description = "Run the FaceStream job: image events from Kafka, detections and dead letters to Kafka (exactly-once by default).")
final class JobCommand extends GeneratedCommand {

    static final List<Flags.Flag> FLAGS = FlagSets.concat(FlagSets.KAFKA, FlagSets.DETECTION_STAGE, FlagSets.TRACKING,
            FlagSets.FACE_IMAGES, List.of(
            Flags.value(JobOptions.PARALLELISM, "N"),
            Flags.value(JobOptions.CHECKPOINT_INTERVAL, "DURATION"),
            Flags.value(JobOptions.JOB_NAME, "NAME")));

    JobCommand() {
        super(FLAGS, Logging.AS_CONFIGURED);
    }

    @Override
    int run(Configuration options, PrintWriter out, PrintWriter err) throws Exception {
        KafkaSettings kafkaSettings = KafkaSettings.from(options, OptionNames.FLAGS);
        FaceDetectionSettings detectionSettings = FaceDetectionSettings.from(options, OptionNames.FLAGS);
        TrackingSettings tracking = TrackingSettings.from(options, OptionNames.FLAGS);
        int parallelism = options.get(JobOptions.PARALLELISM);
        Duration checkpointInterval = options.get(JobOptions.CHECKPOINT_INTERVAL);
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
        FaceStreamJob.checkTracking(kafkaSettings, tracking);
        StartupChecks.checkModel(detectionSettings.detector());
        StartupChecks.checkKafka(kafkaSettings);
        kafkaSettings = StartupChecks.registerSchemas(kafkaSettings);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        if (parallelism > 0) {
            env.setParallelism(parallelism);
        }
        FaceStreamJob.configure(env, checkpointInterval);
        FaceStreamJob.onKafka(kafkaSettings, detectionSettings, tracking).build(env);
        env.execute(options.get(JobOptions.JOB_NAME));
        return 0;
    }
}
