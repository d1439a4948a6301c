package io.facestream.track;

import io.facestream.avro.FaceTrack;
import io.facestream.job.DetectionOutcome;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/** STUB, replaced by the tracker branch. */
public class FaceTracker extends KeyedProcessFunction<String, DetectionOutcome, DetectionOutcome> {
    private static final long serialVersionUID = 1L;
    public static final OutputTag<FaceTrack> TRACKS = new OutputTag<>("face-tracks") {};
    private final TrackingSettings settings;

    public FaceTracker(TrackingSettings settings) {
        this.settings = settings;
    }

    public static String sourceOf(DetectionOutcome outcome) {
        return outcome.streamSource == null ? "" : outcome.streamSource;
    }

    @Override
    public void processElement(DetectionOutcome value, Context ctx, Collector<DetectionOutcome> out) {
        out.collect(value);
    }
}
