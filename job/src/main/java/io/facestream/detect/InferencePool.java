package io.facestream.detect;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One model and a fixed number of inference threads, each with its own session (a DJL predictor
 * is not thread-safe): what every user of the detector holds, the job's async function per
 * subtask, the SQL function per subtask and the detect command per run. Callers hand work over
 * and never block on it.
 */
public final class InferencePool implements AutoCloseable {

    private final FaceDetector detector;
    private final ThreadPoolExecutor threads;
    private final List<FaceDetector.Session> opened = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<FaceDetector.Session> sessions;

    private InferencePool(FaceDetector detector, int threadCount, String threadName) {
        this.detector = detector;
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
     * Runs the task on an inference thread with that thread's session.
     *
     * @throws RejectedExecutionException once the pool is closing
     */
    public void execute(Consumer<FaceDetector.Session> task) {
        threads.execute(() -> task.accept(sessions.get()));
    }

    /** Like {@link #execute}, for a task with a result. */
    public <T> Future<T> submit(Function<FaceDetector.Session, T> task) {
        Callable<T> call = () -> task.apply(sessions.get());
        return threads.submit(call);
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
