package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceCrop;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends results to the main output, dead letters to the {@link #DEAD_LETTERS} side output, a
 * result's face crops to {@link #CROPS} and its anonymized image to {@link #ANONYMIZED}, and counts
 * them ({@link DetectionMetrics}). Crops take their faces' track ids here, after tracking.
 */
public class OutcomeRouter extends ProcessFunction<DetectionOutcome, FaceDetectionResult> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};
    public static final OutputTag<FaceCrop> CROPS = new OutputTag<>("crops") {};
    public static final OutputTag<ImageEvent> ANONYMIZED = new OutputTag<>("anonymized") {};

    private transient DetectionMetrics metrics;

    @Override
    public void open(OpenContext openContext) {
        metrics = DetectionMetrics.registerOutcomes(getRuntimeContext().getMetricGroup());
    }

    @Override
    public void processElement(DetectionOutcome outcome, Context ctx, Collector<FaceDetectionResult> out) {
        metrics.count(outcome);
        if (outcome.result != null) {
            out.collect(outcome.result);
            if (outcome.crops != null) {
                for (FaceCrop crop : outcome.crops) {
                    crop.setTrackId(outcome.result.getFaces().get(crop.getFaceIndex()).getTrackId());
                    ctx.output(CROPS, crop);
                }
            }
            if (outcome.anonymized != null) {
                ctx.output(ANONYMIZED, outcome.anonymized);
            }
        } else {
            ctx.output(DEAD_LETTERS, outcome.deadLetter);
        }
    }
}
