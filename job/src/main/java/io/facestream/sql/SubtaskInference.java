package io.facestream.sql;

import io.facestream.detect.Deadline;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.FaceImagesSettings;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.InferencePool;
import io.facestream.detect.RejectReason;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a FaceStream SQL function holds in one parallel subtask, as the job's operator does: the model,
 * loaded once, and a fixed pool of inference threads, each with its own predictor. {@link #call} does not
 * block: each image goes to the pool with the function's timeout as its deadline, and the call's future
 * completes with what the function makes of the image's detections or failure, or with the function's
 * value for a timed-out call, whichever comes first (an asynchronous function hands that future to Flink,
 * a synchronous one waits on it).
 */
final class SubtaskInference implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SubtaskInference.class);

    private final String function;
    private final InferencePool pool;
    private final long timeoutMillis;

    private SubtaskInference(String function, InferencePool pool, long timeoutMillis) {
        this.function = function;
        this.pool = pool;
        this.timeoutMillis = timeoutMillis;
    }

    /**
     * Loads the model and starts the inference threads.
     *
     * @param function the SQL function's name, for its threads and log lines
     * @param images   the images each detection also makes
     * @param capacity the calls in flight at most (an async operator's capacity), which bounds the pool's queue
     */
    static SubtaskInference open(String function, DetectFacesSettings settings, FaceImagesSettings images, int capacity)
            throws IOException {
        InferencePool pool = InferencePool.load(settings.detector(), images, settings.inferenceThreads(), capacity,
                "facestream-" + function);
        FaceDetector detector = pool.detector();
        LOG.info("{} loaded {} (sha256 {}) with {} inference thread(s)", function, detector.modelName(), detector.modelSha256(),
                settings.inferenceThreads());
        return new SubtaskInference(function, pool, settings.timeout().toMillis());
    }

    long timeoutMillis() {
        return timeoutMillis;
    }

    /**
     * Runs {@code image} for one call; {@code detected} and {@code rejected} run on an inference thread.
     *
     * @param timedOut the call's value when the timeout passes first
     * @param rejected what the call gives for an image that could not be processed, the failure classified
     *                 ({@link RejectReason#EXPIRED} is a call that timed out while queued: it has {@code timedOut} already)
     */
    <T> void call(byte[] image, CompletableFuture<T> result, T timedOut, Function<ImageDetections, T> detected,
                  Function<ImageRejectedException, T> rejected) {
        // A call that timed out while queued has its value already: the pool skips it.
        Deadline deadline = Deadline.after(Duration.ofMillis(timeoutMillis), System.nanoTime());
        result.completeOnTimeout(timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            pool.submit(() -> image, null, deadline).whenComplete((detections, failure) ->
                    result.complete(failure == null ? detected.apply(detections) : rejected.apply(classify(failure))));
        } catch (RejectedExecutionException e) {
            // Only while closing; the row is replayed from the last checkpoint.
            result.completeExceptionally(e);
        }
    }

    private ImageRejectedException classify(Throwable failure) {
        ImageRejectedException rejected = ImageRejectedException.classify(failure);
        if (rejected.reason() == RejectReason.FAILED_UNEXPECTEDLY) {
            LOG.warn("{} failed on an image", function, rejected.getCause());
        }
        return rejected;
    }

    @Override
    public void close() {
        pool.close();
    }
}
