package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.ImageEvent;
import io.facestream.track.FrameWatermarks;
import io.facestream.track.TrackingSettings;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The FaceStream job: image events from a source, faces detected (and, with tracking, followed
 * over each source's frames), results and dead letters to their sinks, and where asked for track
 * summaries, face crops and anonymized images to theirs.
 * Sources and sinks come in from outside (Kafka in production, anything in tests); this class only
 * wires them to the detection stage.
 */
public final class FaceStreamJob {

    public static final String NAME = "FaceStream";

    private final Source<SourcedImageEvent, ?, ?> source;
    private final Sink<FaceDetectionResult> resultSink;
    private final Sink<DeadLetter> deadLetterSink;
    /** Null: summaries of ended tracks are not written. */
    private final Sink<FaceTrack> trackSink;
    private final FaceImageSinks faceImageSinks;
    private final FaceDetectionSettings settings;
    private final TrackingSettings tracking;

    public FaceStreamJob(Source<SourcedImageEvent, ?, ?> source, Sink<FaceDetectionResult> resultSink,
                         Sink<DeadLetter> deadLetterSink, FaceDetectionSettings settings) {
        this(source, resultSink, deadLetterSink, null, settings, TrackingSettings.defaults());
    }

    /** @param trackSink where summaries of ended tracks go; null: nowhere (only with tracking enabled may it be set) */
    public FaceStreamJob(Source<SourcedImageEvent, ?, ?> source, Sink<FaceDetectionResult> resultSink,
                         Sink<DeadLetter> deadLetterSink, Sink<FaceTrack> trackSink, FaceDetectionSettings settings,
                         TrackingSettings tracking) {
        this(source, resultSink, deadLetterSink, trackSink, FaceImageSinks.NONE, settings, tracking);
    }

    /**
     * @param faceImageSinks where face crops and anonymized images go: each is made exactly where its sink is
     *                       set, whatever {@code settings} say of it
     */
    public FaceStreamJob(Source<SourcedImageEvent, ?, ?> source, Sink<FaceDetectionResult> resultSink,
                         Sink<DeadLetter> deadLetterSink, Sink<FaceTrack> trackSink, FaceImageSinks faceImageSinks,
                         FaceDetectionSettings settings, TrackingSettings tracking) {
        requireTrackingForTracks(trackSink != null, tracking);
        this.source = source;
        this.resultSink = resultSink;
        this.deadLetterSink = deadLetterSink;
        this.trackSink = trackSink;
        this.faceImageSinks = faceImageSinks;
        this.settings = settings.withFaceImages(settings.faceImages()
                .withOutputs(faceImageSinks.crops() != null, faceImageSinks.anonymized() != null));
        this.tracking = tracking;
    }

    /** Where face crops and anonymized images go; a null sink: they are not made. */
    public record FaceImageSinks(Sink<FaceCrop> crops, Sink<ImageEvent> anonymized) {
        public static final FaceImageSinks NONE = new FaceImageSinks(null, null);
    }

    /** The job reading and writing the topics in {@code kafka}. */
    public static FaceStreamJob onKafka(KafkaSettings kafka, FaceDetectionSettings settings) {
        return onKafka(kafka, settings, TrackingSettings.defaults());
    }

    /** The job reading and writing the topics in {@code kafka}, tracking faces when {@code tracking} says so. */
    public static FaceStreamJob onKafka(KafkaSettings kafka, FaceDetectionSettings settings, TrackingSettings tracking) {
        checkTracking(kafka, tracking);
        return new FaceStreamJob(KafkaConnectors.source(kafka), KafkaConnectors.resultSink(kafka),
                KafkaConnectors.deadLetterSink(kafka), kafka.tracksTopic().isPresent() ? KafkaConnectors.tracksSink(kafka) : null,
                new FaceImageSinks(kafka.cropsTopic().isPresent() ? KafkaConnectors.cropsSink(kafka) : null,
                        kafka.anonymizedTopic().isPresent() ? KafkaConnectors.anonymizedSink(kafka) : null),
                settings.withFaceImages(settings.faceImages().withMaxEncodedBytes(KafkaConnectors.maxImageBytes(kafka))),
                tracking);
    }

    /**
     * Whether these Kafka and tracking settings make a job, checked without making it (before the
     * startup checks, which take time): a tracks topic needs tracking, and raw input a source field.
     *
     * @throws IllegalArgumentException naming the flags and the fix
     */
    public static void checkTracking(KafkaSettings kafka, TrackingSettings tracking) {
        requireTrackingForTracks(kafka.tracksTopic().isPresent(), tracking);
        if (tracking.enabled() && tracking.sourceField() == null && kafka.get(KafkaOptions.INPUT_FORMAT) == InputFormat.RAW) {
            throw new IllegalArgumentException("--track with --input-format raw needs --source-field: a raw record's key "
                    + "is its event id, so name the record header that carries each frame's source (camera, stream)");
        }
    }

    private static void requireTrackingForTracks(boolean tracksWritten, TrackingSettings tracking) {
        if (tracksWritten && !tracking.enabled()) {
            throw new IllegalArgumentException("A tracks topic (--tracks-topic) is set but tracking is off: add --track, "
                    + "or leave out --tracks-topic");
        }
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
        // Without tracking nothing waits for event time, so the source emits no watermarks (the job as it always was).
        WatermarkStrategy<SourcedImageEvent> watermarks = tracking.enabled() ? FrameWatermarks.of(tracking)
                : WatermarkStrategy.noWatermarks();
        DataStream<SourcedImageEvent> events = env
                .fromSource(source, watermarks, "Image events")
                .uid("image-events");
        FaceDetection.Streams detected = FaceDetection.detectSourced(events, settings, tracking);
        detected.results().sinkTo(resultSink).name("Detections").uid("detections-sink");
        detected.deadLetters().sinkTo(deadLetterSink).name("Dead letters").uid("dead-letters-sink");
        if (trackSink != null) {
            detected.tracks().sinkTo(trackSink).name("Tracks").uid("tracks-sink");
        }
        if (faceImageSinks.crops() != null) {
            detected.crops().sinkTo(faceImageSinks.crops()).name("Face crops").uid("crops-sink");
        }
        if (faceImageSinks.anonymized() != null) {
            detected.anonymized().sinkTo(faceImageSinks.anonymized()).name("Anonymized images").uid("anonymized-sink");
        }
    }
}
