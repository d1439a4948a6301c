package io.facestream.job;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.StageTimings;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * FaceStream's own metrics, in the group {@value #GROUP} of the operator that keeps them.
 *
 * <p>Outcomes are counted as they leave the detection stage ({@link OutcomeRouter}): every input
 * record ends there as exactly one result or one dead letter, whether it failed parsing in the
 * deserializer, in detection or by timing out, so each is counted once, and a late detection
 * after its timeout (which Flink discards) is not counted at all. The router runs on its task's
 * thread, so plain counters suffice there. Images in flight and skipped are counted by {@link
 * FaceDetectionFunction}, the only place that sees them enter and leave the inference pool.
 */
public final class DetectionMetrics {

    public static final String GROUP = "facestream";
    /** Images with a result. Every input record counts once: here or under one dead-letter reason. */
    public static final String IMAGES = "images";
    /** Faces in those results. */
    public static final String FACES = "faces";
    /** Aligned face crops written (--crops-topic). */
    public static final String CROPS = "crops";
    /** Faces that scored enough for a crop but got none: landmarks that fit no alignment, or a crop over the size limit. */
    public static final String CROPS_SKIPPED = "cropsSkipped";
    /** Anonymized images written (--anonymized-topic). */
    public static final String ANONYMIZED_IMAGES = "anonymizedImages";
    /** Key of the user group that holds one {@value #DEAD_LETTERS} counter per reason (a Prometheus label). */
    public static final String REASON = "reason";
    public static final String DEAD_LETTERS = "deadLetters";
    /** Histograms of the result's {@link StageTimings} of the same names, one value per image. */
    public static final String DECODE_MICROS = "decodeMicros";
    public static final String INFERENCE_MICROS = "inferenceMicros";
    public static final String TOTAL_MICROS = "totalMicros";
    /** Images handed to the inference pool and not finished yet (queued or running), timed out or not. */
    public static final String IMAGES_IN_FLIGHT = "imagesInFlight";
    /**
     * Images the inference pool did not run: their timeout had passed when a thread got to them, or
     * they found its queue full. Each is a TIMEOUT dead letter.
     */
    public static final String IMAGES_SKIPPED = "imagesSkipped";

    /** Quantiles are computed over this many latest images per subtask; counts cover every image. */
    static final int HISTOGRAM_WINDOW = 1024;

    private final Counter images;
    private final Counter faces;
    private final Counter crops;
    private final Counter cropsSkipped;
    private final Counter anonymizedImages;
    private final Map<DeadLetterReason, Counter> deadLetters = new EnumMap<>(DeadLetterReason.class);
    private final Histogram decodeMicros;
    private final Histogram inferenceMicros;
    private final Histogram totalMicros;

    private DetectionMetrics(MetricGroup group) {
        images = group.counter(IMAGES);
        faces = group.counter(FACES);
        crops = group.counter(CROPS);
        cropsSkipped = group.counter(CROPS_SKIPPED);
        anonymizedImages = group.counter(ANONYMIZED_IMAGES);
        // Every reason from the start, so that a dashboard shows zeros rather than missing series.
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            deadLetters.put(reason, group.addGroup(REASON, reason.name()).counter(DEAD_LETTERS));
        }
        decodeMicros = group.histogram(DECODE_MICROS, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        inferenceMicros = group.histogram(INFERENCE_MICROS, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        totalMicros = group.histogram(TOTAL_MICROS, new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    }

    /** The outcome metrics on {@code operatorGroup}; {@link #count} must be called from one thread. */
    public static DetectionMetrics registerOutcomes(MetricGroup operatorGroup) {
        return new DetectionMetrics(operatorGroup.addGroup(GROUP));
    }

    /**
     * A gauge of images in flight on {@code operatorGroup}, and the number behind it, which the
     * inference threads change.
     */
    public static AtomicInteger registerImagesInFlight(MetricGroup operatorGroup) {
        AtomicInteger inFlight = new AtomicInteger();
        operatorGroup.addGroup(GROUP).gauge(IMAGES_IN_FLIGHT, (Gauge<Integer>) inFlight::get);
        return inFlight;
    }

    /** A counter of images skipped on {@code operatorGroup}, safe to increment from any thread. */
    public static Counter registerImagesSkipped(MetricGroup operatorGroup) {
        return operatorGroup.addGroup(GROUP).counter(IMAGES_SKIPPED, new ThreadSafeSimpleCounter());
    }

    public void count(DetectionOutcome outcome) {
        if (outcome.result != null) {
            FaceDetectionResult result = outcome.result;
            images.inc();
            faces.inc(result.getFaces().size());
            StageTimings timings = result.getTimings();
            decodeMicros.update(timings.getDecodeMicros());
            inferenceMicros.update(timings.getInferenceMicros());
            totalMicros.update(timings.getTotalMicros());
            if (outcome.crops != null) {
                crops.inc(outcome.crops.length);
            }
            cropsSkipped.inc(outcome.cropsSkipped);
            if (outcome.anonymized != null) {
                anonymizedImages.inc();
            }
        } else {
            deadLetters.get(outcome.deadLetter.getReason()).inc();
        }
    }
}
