package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The FaceStream job: image events from a source, faces detected, results and dead letters to
 * their sinks. Sources and sinks come in from outside (Kafka in production, anything in tests);
 * this class only wires them to the detection stage.
 */
public final class FaceStreamJob {

    public static final String NAME = "FaceStream";

    private final Source<SourcedImageEvent, ?, ?> source;
    private final Sink<FaceDetectionResult> resultSink;
    private final Sink<DeadLetter> deadLetterSink;
    private final FaceDetectionSettings settings;

    public FaceStreamJob(Source<SourcedImageEvent, ?, ?> source, Sink<FaceDetectionResult> resultSink,
                         Sink<DeadLetter> deadLetterSink, FaceDetectionSettings settings) {
        this.source = source;
        this.resultSink = resultSink;
        this.deadLetterSink = deadLetterSink;
        this.settings = settings;
    }

    /** The job reading and writing the topics in {@code kafka}. */
    public static FaceStreamJob onKafka(KafkaSettings kafka, FaceDetectionSettings settings) {
        return new FaceStreamJob(KafkaConnectors.source(kafka), KafkaConnectors.resultSink(kafka), KafkaConnectors.deadLetterSink(kafka), settings);
    }

    /**
     * The job's environment settings: exactly-once checkpointing (which also commits the Kafka
     * sinks' transactions), and object reuse, so that chained operators hand records over instead
     * of deep-copying every image (no function here keeps or changes a record it has passed on).
     */
    public static void configure(StreamExecutionEnvironment env, Duration checkpointInterval) {
        env.enableCheckpointing(checkpointInterval.toMillis(), CheckpointingMode.EXACTLY_ONCE);
        env.getConfig().enableObjectReuse();
    }

    public void build(StreamExecutionEnvironment env) {
        DataStream<SourcedImageEvent> events = env
                .fromSource(source, WatermarkStrategy.noWatermarks(), "Image events")
                .uid("image-events");
        FaceDetection.Streams detected = FaceDetection.detectSourced(events, settings);
        detected.results().sinkTo(resultSink).name("Detections").uid("detections-sink");
        detected.deadLetters().sinkTo(deadLetterSink).name("Dead letters").uid("dead-letters-sink");
    }
}
