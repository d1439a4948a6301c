package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends results to the main output and dead letters to the {@link #DEAD_LETTERS} side output, and
 * counts both ({@link DetectionMetrics}).
 */
public class OutcomeRouter extends ProcessFunction<DetectionOutcome, FaceDetectionResult> {

    private static final long serialVersionUID = 1L;

    public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

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
        } else {
            ctx.output(DEAD_LETTERS, outcome.deadLetter);
        }
    }
}
