package io.facestream.job;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.ModelInfo;
import io.facestream.detect.Deadline;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.ImageSkippedException;
import io.facestream.detect.ImageTask;
import io.facestream.detect.InferencePool;
import io.facestream.detect.Natives;
import io.facestream.schemas.AvroTrust;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects faces asynchronously: {@link #open} loads the model once per subtask and starts a fixed
 * pool of inference threads, each with its own predictor; {@link #asyncInvoke} only hands the
 * image to that pool. Every event completes with exactly one outcome: a result, or a dead letter
 * for bad input, a model failure or a timeout (never an exception that would restart the job).
 *
 * <p>Under overload the pool does not run an image whose timeout has passed, and holds at most the
 * operator's capacity of waiting images: Flink frees an image's place at its timeout while its task
 * may still wait in the pool, so without that the pool's backlog, and the heap, would grow while
 * the threads detected faces nobody waits for any more.
 */
public class FaceDetectionFunction extends RichAsyncFunction<SourcedImageEvent, DetectionOutcome> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(FaceDetectionFunction.class);

    private final FaceDetectionSettings settings;

    private transient ModelInfo modelInfo;
    private transient InferencePool inferencePool;
    private transient AtomicInteger imagesInFlight;
    private transient Counter imagesSkipped;

    public FaceDetectionFunction(FaceDetectionSettings settings) {
        this.settings = settings;
    }

    @Override
    public void open(OpenContext openContext) throws Exception {
        AvroTrust.trustFaceStreamSchemas();
        int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
        warnIfEngineAndRuntimeLoadApart();
        try {
            inferencePool = InferencePool.load(settings.detector(), settings.inferenceThreads(), settings.capacity(),
                    "facestream-inference-" + subtask);
        } catch (Exception | LinkageError e) {
            throw ModelStartFailure.of(subtask, e);
        }
        FaceDetector detector = inferencePool.detector();
        modelInfo = Results.model(detector);
        imagesInFlight = DetectionMetrics.registerImagesInFlight(getRuntimeContext().getMetricGroup());
        imagesSkipped = DetectionMetrics.registerImagesSkipped(getRuntimeContext().getMetricGroup());
        LOG.info("Subtask {} loaded {} (sha256 {}) with {} inference thread(s)", subtask, detector.modelName(),
                detector.modelSha256(), settings.inferenceThreads());
    }

    /**
     * ONNX Runtime from Flink's lib/ with DJL from the job jar runs once per TaskManager: the next
     * job's DJL cannot create the environment the first one holds. Said now, not when it fails.
     */
    private static void warnIfEngineAndRuntimeLoadApart() {
        ClassLoader runtime = ai.onnxruntime.OrtEnvironment.class.getClassLoader();
        ClassLoader engine = ai.djl.engine.Engine.class.getClassLoader();
        if (runtime != engine) {
            LOG.warn("ONNX Runtime loads from {} but DJL from {}: the next FaceStream job on this TaskManager (a resubmit, "
                    + "an upgrade, a second job) will not start its model. {}", runtime, engine, Natives.PARENT_FIRST_FIX);
        }
    }

    @Override
    public void asyncInvoke(SourcedImageEvent input, ResultFuture<DetectionOutcome> resultFuture) {
        if (!input.isParsed()) {
            resultFuture.complete(List.of(deadLetter(input, input.parseFailure, input.parseFailureMessage)));
            return;
        }
        imagesInFlight.incrementAndGet();
        try {
            inferencePool.detect(new EventDetection(input, resultFuture, System.nanoTime()));
        } catch (RejectedExecutionException e) {
            imagesInFlight.decrementAndGet();
            // Only while closing; the event is replayed from the last checkpoint.
            resultFuture.completeExceptionally(e);
        }
    }

    /** One event's image in the inference pool; completes the event's future on the inference thread. */
    private final class EventDetection implements ImageTask {
        private final SourcedImageEvent input;
        private final ResultFuture<DetectionOutcome> resultFuture;
        private final long receivedNanos;
        /** Flink's timeout for the event ends at about the same time (its timer starts just before asyncInvoke). */
        private final Deadline deadline;

        EventDetection(SourcedImageEvent input, ResultFuture<DetectionOutcome> resultFuture, long receivedNanos) {
            this.input = input;
            this.resultFuture = resultFuture;
            this.receivedNanos = receivedNanos;
            this.deadline = Deadline.after(settings.timeout(), receivedNanos);
        }

        @Override
        public byte[] encodedImage() throws ImageRejectedException {
            checkEvent(input.event);
            return imageBytes(input.event);
        }

        @Override
        public String contentType() {
            return input.event.getContentType();
        }

        @Override
        public Deadline deadline() {
            return deadline;
        }

        @Override
        public void detected(ImageDetections detections, long startedNanos) {
            complete(outcome(input, detections, startedNanos - receivedNanos, System.nanoTime() - receivedNanos));
        }

        @Override
        public void failed(Throwable failure, long startedNanos) {
            if (failure instanceof ImageSkippedException) {
                imagesSkipped.inc();
            }
            complete(failureOutcome(input, failure));
        }

        /**
         * Also after {@link #timeout}: the operator keeps the first completion and ignores this one, but
         * the image has left the pool either way.
         */
        private void complete(DetectionOutcome outcome) {
            try {
                resultFuture.complete(List.of(outcome));
            } finally {
                imagesInFlight.decrementAndGet();
            }
        }
    }

    @Override
    public void timeout(SourcedImageEvent input, ResultFuture<DetectionOutcome> resultFuture) {
        resultFuture.complete(List.of(timedOut(input)));
    }

    private DetectionOutcome timedOut(SourcedImageEvent input) {
        return deadLetter(input, DeadLetterReason.TIMEOUT, String.format(
                "Detection did not finish within %d ms. Raise --timeout, add parallelism, or send smaller images.",
                settings.timeout().toMillis()));
    }

    DetectionOutcome outcome(SourcedImageEvent input, ImageDetections detections, long queueNanos, long totalNanos) {
        try {
            return DetectionOutcome.of(Results.of(input.event, input.source, modelInfo, detections, queueNanos, totalNanos));
        } catch (RuntimeException e) {
            return failureOutcome(input, e);
        }
    }

    DetectionOutcome failureOutcome(SourcedImageEvent input, Throwable failure) {
        if (failure instanceof ImageSkippedException skipped) {
            return skipped.why() == ImageSkippedException.Why.EXPIRED ? timedOut(input) : deadLetter(input,
                    DeadLetterReason.TIMEOUT, "The subtask is overloaded: " + skipped.getMessage() + ". The image was not "
                            + "run. Add parallelism or --inference-threads, send smaller images, or raise --timeout.");
        }
        if (failure instanceof ImageRejectedException rejected) {
            return deadLetter(input, rejected.reason(), rejected.getMessage());
        }
        LOG.warn("Detection failed for event {}", input.eventIdOrNull(), failure);
        return deadLetter(input, DeadLetterReason.INFERENCE_FAILED, "Detection failed unexpectedly: " + failure
                + ". The event is kept here; report it if valid images fail.");
    }

    private static void checkEvent(ImageEvent event) throws ImageRejectedException {
        if (event.getEventId() == null || event.getEventId().isBlank()) {
            throw new ImageRejectedException(DeadLetterReason.MISSING_EVENT_ID,
                    "The event has an empty eventId. Give every image event a unique id.");
        }
        if (event.getImageBytes() == null && event.getImageUri() == null) {
            throw new ImageRejectedException(DeadLetterReason.MISSING_IMAGE,
                    "The event has neither imageBytes nor imageUri. Set one of them.");
        }
    }

    private byte[] imageBytes(ImageEvent event) throws ImageRejectedException {
        if (event.getImageBytes() != null) {
            return DeadLetters.bytes(event.getImageBytes());
        }
        return settings.imageReferences().read(event.getImageUri(), settings.detector().maxImageBytes());
    }

    private DetectionOutcome deadLetter(SourcedImageEvent input, DeadLetterReason reason, String message) {
        return DetectionOutcome.of(DeadLetters.of(input, reason, message, settings.deadLetterPayloadLimit()));
    }

    @Override
    public void close() throws Exception {
        if (inferencePool != null) {
            inferencePool.close();
        }
    }
}
