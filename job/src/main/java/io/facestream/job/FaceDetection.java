package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.ImageEvent;
import io.facestream.track.FaceTracker;
import io.facestream.track.FrameWatermarks;
import io.facestream.track.TrackingSettings;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The detection stage as a building block for any pipeline:
 *
 * <pre>{@code
 * DataStream<ImageEvent> images = ...;
 * FaceDetection.Streams detected = FaceDetection.detect(images, FaceDetectionSettings.defaults());
 * detected.results().sinkTo(...);
 * detected.deadLetters().sinkTo(...);
 * }</pre>
 *
 * With {@link TrackingSettings} enabled, faces are also tracked over the frames of each source
 * (results then wait up to the allowed out-of-orderness, so that each source's frames are tracked in
 * event-time order), and {@link Streams#tracks()} carries a summary of every confirmed track when it ends.
 * With {@link FaceDetectionSettings#faceImages()} asking for them, {@link Streams#crops()} carries an
 * aligned crop of each face and {@link Streams#anonymized()} each image with its faces covered.
 */
public final class FaceDetection {

    /**
     * The results, the dead letters of events that could not be processed, the ended tracks (null when not
     * tracking), the face crops and the anonymized images (each null when not asked for).
     */
    public record Streams(DataStream<FaceDetectionResult> results, DataStream<DeadLetter> deadLetters,
                          DataStream<FaceTrack> tracks, DataStream<FaceCrop> crops, DataStream<ImageEvent> anonymized) {}

    private FaceDetection() {}

    public static Streams detect(DataStream<ImageEvent> events, FaceDetectionSettings settings) {
        return detect(events, settings, TrackingSettings.defaults());
    }

    /**
     * As {@link #detect(DataStream, FaceDetectionSettings)}, tracking faces when {@code tracking} is enabled:
     * an event's source is then its metadata field {@link TrackingSettings#sourceField()}, which must be set
     * (these events have no record key), and its event time orders its source's frames.
     */
    public static Streams detect(DataStream<ImageEvent> events, FaceDetectionSettings settings, TrackingSettings tracking) {
        if (tracking.enabled() && tracking.sourceField() == null) {
            throw new IllegalArgumentException("Tracking a DataStream of ImageEvents needs a source field: the metadata "
                    + "field that names each image's source (TrackingSettings.builder().sourceField(...)).");
        }
        DataStream<SourcedImageEvent> sourced = events
                .map(event -> SourcedImageEvent.parsed(event, null, null))
                .returns(TypeInformation.of(SourcedImageEvent.class))
                .name("Wrap image events");
        if (tracking.enabled()) {
            sourced = sourced.assignTimestampsAndWatermarks(FrameWatermarks.of(tracking)).name("Event times");
        }
        return detectSourced(sourced, settings, tracking);
    }

    /** As {@link #detect}, for events that carry their Kafka coordinates or parse failures; no tracking. */
    public static Streams detectSourced(DataStream<SourcedImageEvent> events, FaceDetectionSettings settings) {
        return detectSourced(events, settings, TrackingSettings.defaults());
    }

    /**
     * As {@link #detect}, for events that carry their Kafka coordinates or parse failures; with tracking
     * enabled, their timestamps and watermarks must already be assigned ({@link FrameWatermarks}).
     */
    public static Streams detectSourced(DataStream<SourcedImageEvent> events, FaceDetectionSettings settings,
                                        TrackingSettings tracking) {
        if (tracking.enabled()) {
            events = events.map(new StreamSources(tracking.sourceField())).name("Stream sources").uid("stream-sources");
        }
        DataStream<DetectionOutcome> outcomes = AsyncDataStream.unorderedWait(events,
                        new FaceDetectionFunction(settings), settings.timeout().toMillis(), TimeUnit.MILLISECONDS,
                        settings.capacity())
                .name("Detect faces")
                .uid("detect-faces");
        DataStream<FaceTrack> tracks = null;
        if (tracking.enabled()) {
            SingleOutputStreamOperator<DetectionOutcome> tracked = outcomes
                    .keyBy(FaceTracker::sourceOf, Types.STRING)
                    .process(new FaceTracker(tracking))
                    .name("Track faces")
                    .uid("track-faces");
            tracks = tracked.getSideOutput(FaceTracker.TRACKS);
            outcomes = tracked;
        }
        SingleOutputStreamOperator<FaceDetectionResult> results = outcomes
                .process(new OutcomeRouter())
                .name("Route results and dead letters")
                .uid("route-outcomes");
        return new Streams(results, results.getSideOutput(OutcomeRouter.DEAD_LETTERS), tracks,
                settings.faceImages().crops() ? results.getSideOutput(OutcomeRouter.CROPS) : null,
                settings.faceImages().anonymize() ? results.getSideOutput(OutcomeRouter.ANONYMIZED) : null);
    }
}
