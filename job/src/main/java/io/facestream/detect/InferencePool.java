package io.facestream.detect;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One model and a fixed number of inference threads, each with its own session (a DJL predictor
 * is not thread-safe): what every user of the detector holds, the job's async function per
 * subtask, the SQL function per subtask and the detect command per run. Callers {@link #submit}
 * images and never block on them: each gets a future of its detections. Submitted images wait in
 * one queue; a free inference thread takes the next one and runs it alone.
 *
 * <p>Bounded under overload: the queue holds at most {@code capacity} images, and an image whose
 * deadline has passed is never read, decoded or run. A caller that times images out frees its
 * own bound on images in flight before their images leave this queue, so without both the queue
 * would fill with images nobody waits for, and the threads would work on them while new ones
 * time out behind them.
 */
public final class InferencePool implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(InferencePool.class);
    /** How long {@link #close()} waits for the threads to finish the images they run. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final FaceDetector detector;
    private final FaceImagesSettings images;
    private final BlockingQueue<Queued> waiting;
    private final int capacity;
    private final List<Thread> threads;
    private volatile boolean closing;

    private InferencePool(FaceDetector detector, FaceImagesSettings images, int threadCount, int capacity, String threadName) {
        this.detector = detector;
        this.images = images;
        this.capacity = capacity;
        this.waiting = new LinkedBlockingQueue<>(capacity);
        List<Thread> created = new ArrayList<>(threadCount);
        for (int i = 1; i <= threadCount; i++) {
            Thread thread = new Thread(this::work, threadName + "-" + i);
            thread.setDaemon(true);
            created.add(thread);
        }
        this.threads = List.copyOf(created);
        threads.forEach(Thread::start);
    }

    /**
     * Loads the model and starts the threads; each opens its session on its first image.
     *
     * @param capacity how many images may wait for a thread: the caller's own bound on images in
     *                 flight (the async operator's capacity), or every image for a caller that has none
     */
    public static InferencePool load(DetectorSettings settings, int threadCount, int capacity, String threadName)
            throws IOException {
        return load(settings, FaceImagesSettings.none(), threadCount, capacity, threadName);
    }

    /** As {@link #load(DetectorSettings, int, int, String)}, each image's detections also carrying the face images {@code images} asks for. */
    public static InferencePool load(DetectorSettings settings, FaceImagesSettings images, int threadCount, int capacity,
                                     String threadName) throws IOException {
        if (threadCount < 1 || capacity < 1) {
            throw new IllegalArgumentException("an inference pool needs at least one thread and a capacity of at least "
                    + "one image, not " + threadCount + " and " + capacity);
        }
        return new InferencePool(FaceDetector.load(settings), images, threadCount, capacity, threadName);
    }

    public FaceDetector detector() {
        return detector;
    }

    /**
     * Queues an image for an inference thread, which reads, decodes and detects it and completes the
     * future; what the caller chains on the future runs there. The future fails with an
     * {@link ImageRejectedException} for an image the detector rejects, the model fails on, or the
     * pool does not run ({@link RejectReason#skipped}); with what {@code image} threw when reading it
     * failed; or with what else went wrong (an {@link Error} included: a native library that would
     * not load), which {@link ImageRejectedException#classify} tells. An image that finds the queue
     * full of images whose deadline has not passed fails at once, on this thread, as
     * {@link RejectReason#OVERLOADED}. The future of an image still queued, before its deadline,
     * when the pool closes is never completed: its caller is closing too.
     *
     * @param contentType the image's MIME type, or null to tell it from the bytes
     * @param deadline    past this the image is not read or run but fails as {@link RejectReason#EXPIRED}
     * @throws RejectedExecutionException once the pool is closing
     */
    public CompletableFuture<ImageDetections> submit(ImageBytes image, String contentType, Deadline deadline) {
        if (closing) {
            throw new RejectedExecutionException("The inference pool is closed");
        }
        Queued queued = new Queued(image, contentType, deadline, new CompletableFuture<>());
        if (waiting.offer(queued)) {
            return queued.detections();
        }
        // Images that timed out while queued left the caller's bound before this queue: make room.
        failExpired();
        if (!waiting.offer(queued)) {
            queued.detections().completeExceptionally(ImageRejectedException.skipped(RejectReason.OVERLOADED, String.format(
                    "%d images already wait for %d inference thread(s), none past its deadline", capacity, threads.size())));
        }
        return queued.detections();
    }

    private void failExpired() {
        long now = System.nanoTime();
        for (Queued queued : waiting) {
            // remove() decides between this thread and an inference thread taking the same image.
            if (queued.deadline().passed(now) && waiting.remove(queued)) {
                queued.expire();
            }
        }
    }

    private void work() {
        FaceDetector.Session session = null;
        try {
            while (!closing) {
                Queued next;
                try {
                    next = waiting.take();
                } catch (InterruptedException e) {
                    continue;
                }
                if (next.deadline().passed(System.nanoTime())) {
                    next.expire();
                    continue;
                }
                session = run(next, session);
            }
        } finally {
            closeQuietly(session);
        }
    }

    /** Reads, decodes and detects one image, completing its future; returns the session for the next image. */
    private FaceDetector.Session run(Queued queued, FaceDetector.Session session) {
        byte[] encoded;
        try {
            encoded = queued.image().read();
        } catch (Exception | Error e) {
            queued.detections().completeExceptionally(e);
            return session;
        }
        ImageDetections detections;
        try {
            if (session == null) {
                session = detector.newSession(images);
            }
            detections = session.detect(encoded, queued.contentType());
        } catch (ImageRejectedException | RuntimeException | LinkageError e) {
            queued.detections().completeExceptionally(e);
            return session;
        } catch (Error e) {
            // From a native layer: the session's buffers or predictor may be left half-way, so the next image gets a new one.
            LOG.error("Detection failed on an image; opening a new inference session", e);
            queued.detections().completeExceptionally(e);
            return closeQuietly(session);
        }
        queued.detections().complete(detections);
        return session;
    }

    private static FaceDetector.Session closeQuietly(FaceDetector.Session session) {
        if (session != null) {
            try {
                session.close();
            } catch (RuntimeException | Error e) {
                LOG.warn("Could not close an inference session", e);
            }
        }
        return null;
    }

    /**
     * Stops the threads, waiting up to 30 s for them to finish the images they run (each closes its
     * own session as it stops), then closes the model. Of the images still queued, those past their
     * deadline are failed as expired (their callers have answered them already, and stop counting
     * them), the others dropped: their callers are closing too. An interrupt does not cut the wait
     * short, and a thread still running when it ends keeps the model open: freeing native memory
     * that ONNX Runtime is using would crash the JVM, where leaving it leaks it.
     */
    @Override
    public void close() {
        close(CLOSE_WAIT);
    }

    void close(Duration wait) {
        closing = true;
        threads.forEach(Thread::interrupt);
        long deadline = System.nanoTime() + wait.toNanos();
        boolean interrupted = false;
        List<String> running = new ArrayList<>();
        for (Thread thread : threads) {
            long left;
            while (thread.isAlive() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (thread.isAlive()) {
                running.add(thread.getName());
            }
        }
        failExpired();
        try {
            if (running.isEmpty()) {
                detector.close();
            } else {
                LOG.warn("Inference thread(s) {} still running {} ms after the pool was closed: leaving {} and their "
                        + "sessions open (their native memory leaks) rather than freeing what ONNX Runtime may still use",
                        running, wait.toMillis(), detector.modelName());
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A submitted image. Completed once: by the thread that takes it from the queue, or that never queued it. */
    private record Queued(ImageBytes image, String contentType, Deadline deadline, CompletableFuture<ImageDetections> detections) {

        void expire() {
            detections.completeExceptionally(ImageRejectedException.skipped(RejectReason.EXPIRED,
                    "The deadline passed while the image waited for an inference thread; it was not run"));
        }
    }
}
