package io.facestream.job;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.ModelInfo;
import io.facestream.detect.Deadline;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.FaceImages;
import io.facestream.detect.ImageBytes;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.InferencePool;
import io.facestream.detect.Natives;
import io.facestream.schemas.AvroTrust;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * pool of inference threads, each with its own predictor; {@link #asyncInvoke} only submits the
 * image to that pool and completes the event when the pool's future does. Every event completes with exactly one outcome: a result, or a dead letter
 * for bad input, a model failure or a timeout (never an exception that would restart the job).
 *
 * <p>Under overload the pool does not run an image whose timeout has passed, and holds at most the
 * operator's capacity of waiting images: Flink frees an image's place at its timeout while the image
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
            inferencePool = InferencePool.load(settings.detector(), settings.faceImages(), settings.inferenceThreads(),
                    settings.capacity(), "facestream-inference-" + subtask);
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
        long receivedNanos = System.nanoTime();
        EventImage image = new EventImage(input.event);
        CompletableFuture<ImageDetections> detection;
        imagesInFlight.incrementAndGet();
        try {
            // Flink's timeout for the event ends at about the same time (its timer starts just before asyncInvoke).
            detection = inferencePool.submit(image, input.event.getContentType(), Deadline.after(settings.timeout(), receivedNanos));
        } catch (RejectedExecutionException e) {
            imagesInFlight.decrementAndGet();
            // Only while closing; the event is replayed from the last checkpoint.
            resultFuture.completeExceptionally(e);
            return;
        }
        // Also after timeout(): the operator keeps the first completion and ignores this one, but the image has left the pool.
        detection.whenComplete((detections, failure) -> {
            try {
                resultFuture.complete(List.of(failure == null
                        ? outcome(input, detections, image.readNanos - receivedNanos, System.nanoTime() - receivedNanos)
                        : failureOutcome(input, failure)));
            } finally {
                imagesInFlight.decrementAndGet();
            }
        });
    }

    /** An event's image, checked and read on the inference thread that takes it; remembers when, for the queue time. */
    private final class EventImage implements ImageBytes {
        private final ImageEvent event;
        /** Written on the inference thread before the future completes, read after: the future orders them. */
        private long readNanos;

        EventImage(ImageEvent event) {
            this.event = event;
        }

        @Override
        public byte[] read() throws EventRejectedException {
            readNanos = System.nanoTime();
            checkEvent(event);
            return imageBytes(event);
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
            FaceDetectionResult result = Results.of(input.event, input.source, modelInfo, detections, queueNanos, totalNanos);
            DetectionOutcome outcome = DetectionOutcome.of(result);
            outcome.streamSource = input.streamSource;
            FaceImages images = detections.images();
            if (settings.faceImages().crops()) {
                outcome.crops = Results.crops(result, images.crops());
                outcome.cropsSkipped = images.cropsSkipped();
            }
            if (images.anonymized() != null) {
                outcome.anonymized = Results.anonymized(input.event, images.anonymized());
            }
            return outcome;
        } catch (RuntimeException e) {
            return failureOutcome(input, e);
        }
    }

    DetectionOutcome failureOutcome(SourcedImageEvent input, Throwable failure) {
        if (failure instanceof EventRejectedException rejectedEvent) {
            return deadLetter(input, rejectedEvent.reason(), rejectedEvent.getMessage());
        }
        ImageRejectedException rejected = ImageRejectedException.classify(failure);
        return switch (rejected.reason()) {
            case EXPIRED -> {
                imagesSkipped.inc();
                yield timedOut(input);
            }
            case OVERLOADED -> {
                imagesSkipped.inc();
                yield deadLetter(input, DeadLetterReasons.of(rejected.reason()), "The subtask is overloaded: "
                        + rejected.getMessage() + ". The image was not run. Add parallelism or --inference-threads, send "
                        + "smaller images, or raise --timeout.");
            }
            case FAILED_UNEXPECTEDLY -> {
                LOG.warn("Detection failed for event {}", input.eventIdOrNull(), rejected.getCause());
                yield deadLetter(input, DeadLetterReasons.of(rejected.reason()), rejected.getMessage()
                        + ". The event is kept here; report it if valid images fail.");
            }
            default -> deadLetter(input, DeadLetterReasons.of(rejected.reason()), rejected.getMessage());
        };
    }

    private static void checkEvent(ImageEvent event) throws EventRejectedException {
        if (event.getEventId() == null || event.getEventId().isBlank()) {
            throw new EventRejectedException(DeadLetterReason.MISSING_EVENT_ID,
                    "The event has an empty eventId. Give every image event a unique id.");
        }
        if (event.getImageBytes() == null && event.getImageUri() == null) {
            throw new EventRejectedException(DeadLetterReason.MISSING_IMAGE,
                    "The event has neither imageBytes nor imageUri. Set one of them.");
        }
    }

    private byte[] imageBytes(ImageEvent event) throws EventRejectedException {
        if (event.getImageBytes() != null) {
            return DeadLetters.bytes(event.getImageBytes());
        }
        return settings.imageReferences().read(event.getImageUri(), settings.detector().maxImageBytes());
    }

    private DetectionOutcome deadLetter(SourcedImageEvent input, DeadLetterReason reason, String message) {
        DetectionOutcome outcome = DetectionOutcome.of(DeadLetters.of(input, reason, message, settings.deadLetterPayloadLimit()));
        outcome.streamSource = input.streamSource;
        return outcome;
    }

    @Override
    public void close() throws Exception {
        if (inferencePool != null) {
            inferencePool.close();
        }
    }
}
