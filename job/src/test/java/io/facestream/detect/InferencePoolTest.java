package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetterReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool on the real model: a broken image fails alone; under overload and failure, expired
 * images are not run, the queue is bounded, an Error completes its image and the pool goes on,
 * and close() never frees the model under a thread still using it.
 */
@Timeout(120)
class InferencePoolTest {

    /** A task that records its outcome and when an inference thread took it. */
    static class RecordedTask implements ImageTask {
        final String name;
        final byte[] image;
        final CompletableFuture<ImageDetections> outcome = new CompletableFuture<>();
        final AtomicInteger completions = new AtomicInteger();
        volatile long startedNanos;

        RecordedTask(String name, byte[] image) {
            this.name = name;
            this.image = image;
        }

        @Override
        public byte[] encodedImage() throws Exception {
            return image;
        }

        @Override
        public String contentType() {
            return null;
        }

        @Override
        public void detected(ImageDetections detections, long startedNanos) {
            this.startedNanos = startedNanos;
            completions.incrementAndGet();
            outcome.complete(detections);
        }

        @Override
        public void failed(Throwable failure, long startedNanos) {
            this.startedNanos = startedNanos;
            completions.incrementAndGet();
            outcome.completeExceptionally(failure);
        }
    }

    private static byte[] chris;

    @BeforeAll
    static void readPhoto() throws Exception {
        chris = TestImages.photo("Chris.jpeg");
    }

    /** A task that counts how often its image was read, with a deadline. */
    private static class Task extends RecordedTask {
        final AtomicInteger reads = new AtomicInteger();
        final Deadline deadline;

        Task(String name, Deadline deadline) {
            super(name, chris);
            this.deadline = deadline;
        }

        Task(String name) {
            this(name, Deadline.NONE);
        }

        @Override
        public byte[] encodedImage() throws Exception {
            reads.incrementAndGet();
            return super.encodedImage();
        }

        @Override
        public Deadline deadline() {
            return deadline;
        }
    }

    /**
     * Holds the inference thread that takes it until released: deaf to interrupts as a thread inside
     * ONNX Runtime is, or released by one (the pool's close() interrupts its threads).
     */
    private static final class Blocker extends Task {
        final CountDownLatch taken = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        private final boolean releasedByInterrupt;

        Blocker(boolean releasedByInterrupt) {
            super("blocker");
            this.releasedByInterrupt = releasedByInterrupt;
        }

        Blocker() {
            this(false);
        }

        @Override
        public byte[] encodedImage() throws Exception {
            taken.countDown();
            boolean interrupted = false;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                    if (releasedByInterrupt) {
                        break;
                    }
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            return super.encodedImage();
        }

        void awaitTaken() throws InterruptedException {
            assertThat(taken.await(60, TimeUnit.SECONDS)).as("the blocker was taken").isTrue();
        }
    }

    private static InferencePool pool(int capacity, String name) throws Exception {
        return InferencePool.load(DetectorSettings.defaults(), 1, capacity, name);
    }

    private static ImageSkippedException.Why skipped(RecordedTask task) {
        assertThat(task.outcome).as(task.name).isCompletedExceptionally();
        Throwable failure = task.outcome.handle((ok, e) -> e).join();
        assertThat(failure).as(task.name).isInstanceOf(ImageSkippedException.class);
        return ((ImageSkippedException) failure).why();
    }

    private static void assertOneFace(RecordedTask task) throws Exception {
        assertThat(task.outcome.get(60, TimeUnit.SECONDS).faces()).as(task.name).hasSize(1);
        assertThat(task.completions).as(task.name).hasValue(1);
    }

    @Test
    void imagesWhoseDeadlinePassedWhileQueuedAreNeitherReadNorRun() throws Exception {
        Blocker blocker = new Blocker();
        Task expired = new Task("expired", Deadline.after(Duration.ZERO, System.nanoTime()));
        Task live = new Task("live", Deadline.after(Duration.ofMinutes(5), System.nanoTime()));
        try (InferencePool pool = pool(8, "expiry-test")) {
            pool.detect(blocker);
            blocker.awaitTaken();
            pool.detect(expired);
            pool.detect(live);
            blocker.release.countDown();
            assertOneFace(live);
        }
        assertOneFace(blocker);
        assertThat(skipped(expired)).isEqualTo(ImageSkippedException.Why.EXPIRED);
        assertThat(expired.reads).hasValue(0);
        assertThat(expired.completions).hasValue(1);
    }

    @Test
    void aFullQueueDropsExpiredImagesToMakeRoomAndTurnsTheRestAwayAtOnce() throws Exception {
        Blocker blocker = new Blocker();
        Deadline soon = Deadline.after(Duration.ofMillis(100), System.nanoTime());
        Task expiring1 = new Task("expiring-1", soon);
        Task expiring2 = new Task("expiring-2", soon);
        Task live3 = new Task("live-3");
        Task live4 = new Task("live-4");
        Task live5 = new Task("live-5");
        try (InferencePool pool = pool(2, "bound-test")) {
            pool.detect(blocker);
            blocker.awaitTaken();
            pool.detect(expiring1);
            pool.detect(expiring2);
            while (!soon.passed(System.nanoTime())) {
                Thread.sleep(10);
            }

            pool.detect(live3);
            // Settled on this thread, before detect returned: the expired images made room.
            assertThat(skipped(expiring1)).isEqualTo(ImageSkippedException.Why.EXPIRED);
            assertThat(skipped(expiring2)).isEqualTo(ImageSkippedException.Why.EXPIRED);
            assertThat(live3.outcome).isNotDone();

            pool.detect(live4);
            pool.detect(live5);
            assertThat(skipped(live5)).isEqualTo(ImageSkippedException.Why.OVERLOADED);
            assertThat(live5.outcome.handle((ok, e) -> e.getMessage()).join()).contains("2 images already wait");

            blocker.release.countDown();
            assertOneFace(live3);
            assertOneFace(live4);
        }
        for (Task task : List.of(expiring1, expiring2, live5)) {
            assertThat(task.reads).as(task.name).hasValue(0);
            assertThat(task.completions).as(task.name).hasValue(1);
        }
    }

    @Test
    void aBrokenImageFailsAloneAndTheOthersFindTheGoldenFaces() throws Exception {
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        List<RecordedTask> tasks = new ArrayList<>();
        for (String photo : golden.keySet()) {
            tasks.add(new RecordedTask(photo, TestImages.photo(photo)));
        }
        RecordedTask truncated = new RecordedTask("truncated", Arrays.copyOf(chris, chris.length / 3));
        tasks.add(3, truncated);
        // fp32 at the reference's letterbox:640, the settings of the golden detections
        DetectorSettings settings = DetectorSettings.builder().size("letterbox:640").precision("fp32").build();
        try (InferencePool pool = InferencePool.load(settings, 1, tasks.size(), "broken-image-test")) {
            tasks.forEach(pool::detect);
            CompletableFuture.allOf(tasks.stream().map(task -> task.outcome.exceptionally(e -> null))
                    .toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        assertThat(truncated.outcome).failsWithin(0, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.CORRUPT_IMAGE));
        int faces = 0;
        for (RecordedTask task : tasks) {
            assertThat(task.completions).as(task.name).hasValue(1);
            if (task != truncated) {
                List<DetectedFace> found = task.outcome.get().faces();
                assertThat(GoldenDetections.disagreements(task.name, golden.get(task.name).faces(), found)).isEmpty();
                faces += found.size();
            }
        }
        assertThat(faces).isEqualTo(9);
    }

    @Test
    void anErrorWhileReadingAnImageFailsItOnceAndThePoolGoesOn() throws Exception {
        Blocker blocker = new Blocker();
        Task before = new Task("before");
        Task broken = new Task("broken") {
            @Override
            public byte[] encodedImage() {
                throw new AssertionError("from a native layer");
            }
        };
        Task after = new Task("after");
        try (InferencePool pool = pool(8, "error-test")) {
            pool.detect(blocker);
            blocker.awaitTaken();
            pool.detect(before);
            pool.detect(broken);
            pool.detect(after);
            blocker.release.countDown();
            assertThat(broken.outcome).failsWithin(60, TimeUnit.SECONDS).withThrowableThat()
                    .havingCause().isInstanceOf(AssertionError.class).withMessage("from a native layer");
            assertOneFace(before);
            assertOneFace(after);
        }
        assertOneFace(blocker);
        assertThat(broken.completions).hasValue(1);
    }

    @Test
    void closeWaitsForTheImageBeingRunThenClosesTheModelAndKeepsAnInterrupt() throws Exception {
        Blocker blocker = new Blocker();
        InferencePool pool = pool(8, "interrupted-close-test");
        pool.detect(blocker);
        blocker.awaitTaken();
        Thread releaser = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            blocker.release.countDown();
        });
        releaser.start();

        // Flink interrupts a cancelled task's thread, also while it closes its operators.
        Thread.currentThread().interrupt();
        pool.close(Duration.ofSeconds(60));

        assertThat(Thread.interrupted()).as("the interrupt is kept for the caller").isTrue();
        assertThat(blocker.outcome).as("the image ran to its end before close returned").isDone();
        assertOneFace(blocker);
        assertThat(pool.detector().isClosed()).isTrue();
        releaser.join();
    }

    @Test
    void closeFailsTheQueuedImagesWhoseCallersHaveAnsweredAndDropsTheRest() throws Exception {
        Blocker blocker = new Blocker(true);
        Task expired = new Task("expired", Deadline.after(Duration.ZERO, System.nanoTime()));
        Task waiting = new Task("waiting");
        InferencePool pool = pool(8, "queued-close-test");
        pool.detect(blocker);
        blocker.awaitTaken();
        pool.detect(expired);
        pool.detect(waiting);
        pool.close(Duration.ofSeconds(60));

        assertOneFace(blocker);
        assertThat(skipped(expired)).isEqualTo(ImageSkippedException.Why.EXPIRED);
        assertThat(expired.completions).hasValue(1);
        assertThat(waiting.outcome).isNotDone();
        assertThat(waiting.reads).hasValue(0);
    }

    @Test
    void closeLeavesTheModelOpenWhileAThreadStillRunsPastTheWait() throws Exception {
        Blocker blocker = new Blocker();
        InferencePool pool = pool(8, "stuck-close-test");
        pool.detect(blocker);
        blocker.awaitTaken();

        long started = System.nanoTime();
        pool.close(Duration.ofMillis(200));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(pool.detector().isClosed()).isFalse();

        // The thread carries on with the model it was left: had close() freed it, this would crash or fail.
        blocker.release.countDown();
        assertOneFace(blocker);
        Thread worker = Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().equals("stuck-close-test-1")).findFirst().orElse(null);
        if (worker != null) {
            worker.join(60_000);
        }
        pool.detector().close();
    }
}
