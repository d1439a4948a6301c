package io.facestream.output;

import io.facestream.detect.DecodedImage;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.ImageDecoder;
import io.facestream.detect.ImageRejectedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Annotated pictures written by a pool of threads, so that whoever hands results over never
 * decodes, draws or encodes itself: a 1080p frame costs about as much to annotate as to detect.
 * At most {@code pending} pictures wait for a thread, each a path and its faces; the pixels
 * exist only while a thread works on them, so memory stays bounded by the threads. A caller
 * that gets that far ahead waits in {@link #submit}.
 */
public final class AnnotationWriter implements AutoCloseable {

    /** What was written (pictures, the faces on them), and why the rest was not (the first few reasons). */
    public record Outcome(int written, long faces, int failed, List<String> problems) {}

    private static final int LISTED_PROBLEMS = 10;

    private final Path out;
    private final Annotator.Format format;
    private final ExecutorService threads;
    private final Semaphore pending;
    private final ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
    private final AtomicInteger written = new AtomicInteger();
    private final AtomicLong faces = new AtomicLong();
    private final AtomicInteger failed = new AtomicInteger();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    public AnnotationWriter(Path out, Annotator.Format format, int threadCount, int pending) {
        if (threadCount < 1 || pending < 1) {
            throw new IllegalArgumentException("an annotation pool needs at least one thread and one pending picture, not "
                    + threadCount + " and " + pending);
        }
        this.out = out;
        this.format = format;
        this.pending = new Semaphore(pending);
        AtomicInteger number = new AtomicInteger();
        ThreadFactory factory = task -> {
            Thread thread = new Thread(task, "facestream-annotate-" + number.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
        this.threads = Executors.newFixedThreadPool(threadCount, factory);
    }

    /** Queues the picture of {@code image} with its faces, as {@code name}'s annotated file; waits while the queue is full. */
    public void submit(Path image, String name, List<DetectedFace> faces) throws InterruptedException {
        submit(image, name, faces, null);
    }

    /** As {@link #submit(Path, String, List)}, with each face's track id (null: none, for a face or for all) drawn too. */
    public void submit(Path image, String name, List<DetectedFace> faces, List<String> trackIds) throws InterruptedException {
        pending.acquire();
        try {
            threads.execute(() -> {
                try {
                    write(image, name, faces, trackIds);
                } finally {
                    pending.release();
                }
            });
        } catch (RuntimeException e) {
            pending.release();
            throw e;
        }
    }

    private void write(Path image, String name, List<DetectedFace> faces, List<String> trackIds) {
        try (DecodedImage decoded = decoder.decode(Files.readAllBytes(image), null)) {
            Annotator.write(decoded, faces, trackIds, out.resolve(Annotator.fileName(name, format)), format);
            written.incrementAndGet();
            this.faces.addAndGet(faces.size());
        } catch (ImageRejectedException e) {
            problem(name + ": " + e.reason() + " " + e.getMessage());
        } catch (Exception e) {
            problem(name + ": " + e);
        }
    }

    /** A picture not even queued, with why: counted and listed with those that failed. */
    public void problem(String problem) {
        failed.incrementAndGet();
        if (problems.size() < LISTED_PROBLEMS) {
            problems.add(problem);
        }
    }

    /** Waits for every queued picture and stops the threads; what was written. */
    public Outcome finish() throws InterruptedException {
        threads.shutdown();
        threads.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        return new Outcome(written.get(), faces.get(), failed.get(), List.copyOf(problems));
    }

    /** Stops at once, dropping pictures not started; for a caller that will not wait for them. */
    @Override
    public void close() {
        threads.shutdownNow();
    }
}
