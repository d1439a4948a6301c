package io.facestream.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model and a fixed number of inference threads, each with its own session (a DJL predictor
 * is not thread-safe): what every user of the detector holds, the job's async function per
 * subtask, the SQL function per subtask and the detect command per run. Callers hand work over
 * and never block on it. Images handed over with {@link #detect} wait in one queue; a free
 * inference thread takes up to the settings' {@code maxBatch} of them at once (dynamic
 * micro-batching: a batch is whatever is waiting, nothing waits for a batch to fill).
 */
public final class InferencePool implements AutoCloseable {

    private final FaceDetector detector;
    private final ThreadPoolExecutor threads;
    private final List<FaceDetector.Session> opened = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<FaceDetector.Session> sessions;
    private final Queue<ImageTask> waiting = new ConcurrentLinkedQueue<>();
    private final int maxBatch;

    private InferencePool(FaceDetector detector, int threadCount, String threadName) {
        this.detector = detector;
        this.maxBatch = detector.settings().maxBatch();
        this.sessions = ThreadLocal.withInitial(() -> {
            FaceDetector.Session session = detector.newSession();
            opened.add(session);
            return session;
        });
        AtomicInteger threadNumber = new AtomicInteger();
        this.threads = new ThreadPoolExecutor(threadCount, threadCount, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, threadName + "-" + threadNumber.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
    }

    /** Loads the model; the threads start, and open their sessions, on first use. */
    public static InferencePool load(DetectorSettings settings, int threadCount, String threadName) throws IOException {
        return new InferencePool(FaceDetector.load(settings), threadCount, threadName);
    }

    public FaceDetector detector() {
        return detector;
    }

    /**
     * Detects faces in the task's image on an inference thread, possibly in one model call with
     * other waiting images; the task's callbacks run there.
     *
     * @throws RejectedExecutionException once the pool is closing
     */
    public void detect(ImageTask task) {
        waiting.add(task);
        try {
            // One drain per task: a drain that finds the queue emptied by an earlier one's batch ends at once.
            threads.execute(this::detectWaiting);
        } catch (RejectedExecutionException e) {
            waiting.remove(task);
            throw e;
        }
    }

    private void detectWaiting() {
        List<ImageTask> batch = new ArrayList<>(maxBatch);
        ImageTask task;
        while (batch.size() < maxBatch && (task = waiting.poll()) != null) {
            batch.add(task);
        }
        if (!batch.isEmpty()) {
            sessions.get().detect(batch);
        }
    }

    /** Stops the threads (waiting for a running detection to end), then closes the sessions and the model. */
    @Override
    public void close() throws InterruptedException {
        threads.shutdownNow();
        threads.awaitTermination(30, TimeUnit.SECONDS);
        synchronized (opened) {
            opened.forEach(FaceDetector.Session::close);
            opened.clear();
        }
        detector.close();
    }
}
