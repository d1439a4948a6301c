package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.typeinfo.TypeInformation;
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
 */
public final class FaceDetection {

    /** The results, and the dead letters of events that could not be processed. */
    public record Streams(DataStream<FaceDetectionResult> results, DataStream<DeadLetter> deadLetters) {}

    private FaceDetection() {}

    public static Streams detect(DataStream<ImageEvent> events, FaceDetectionSettings settings) {
        return detectSourced(events
                .map(event -> SourcedImageEvent.parsed(event, null, null))
                .returns(TypeInformation.of(SourcedImageEvent.class))
                .name("Wrap image events"), settings);
    }

    /** As {@link #detect}, for events that carry their Kafka coordinates or parse failures. */
    public static Streams detectSourced(DataStream<SourcedImageEvent> events, FaceDetectionSettings settings) {
        SingleOutputStreamOperator<DetectionOutcome> outcomes = AsyncDataStream.unorderedWait(events,
                        new FaceDetectionFunction(settings), settings.timeout().toMillis(), TimeUnit.MILLISECONDS,
                        settings.capacity())
                .name("Detect faces")
                .uid("detect-faces");
        SingleOutputStreamOperator<FaceDetectionResult> results = outcomes
                .process(new OutcomeRouter())
                .name("Route results and dead letters")
                .uid("route-outcomes");
        return new Streams(results, results.getSideOutput(OutcomeRouter.DEAD_LETTERS));
    }
}
