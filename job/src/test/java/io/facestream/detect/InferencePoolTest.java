package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

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

    private static byte[] chris;

    @BeforeAll
    static void readPhoto() throws Exception {
        chris = TestImages.photo("Chris.jpeg");
    }

    /** An image submitted to the pool: counts how often it was read, and holds the future the pool gave for it. */
    private static class Task implements ImageBytes {
        final String name;
        final byte[] image;
        final Deadline deadline;
        final AtomicInteger reads = new AtomicInteger();
        CompletableFuture<ImageDetections> outcome;

        Task(String name, byte[] image, Deadline deadline) {
            this.name = name;
            this.image = image;
            this.deadline = deadline;
        }

        Task(String name, Deadline deadline) {
            this(name, chris, deadline);
        }

        Task(String name) {
            this(name, Deadline.NONE);
        }

        @Override
        public byte[] read() throws Exception {
            reads.incrementAndGet();
            return image;
        }

        Task submitTo(InferencePool pool) {
            outcome = pool.submit(this, null, deadline);
            return this;
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
        public byte[] read() throws Exception {
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
            return super.read();
        }

        void awaitTaken() throws InterruptedException {
            assertThat(taken.await(60, TimeUnit.SECONDS)).as("the blocker was taken").isTrue();
        }
    }

    private static InferencePool pool(int capacity, String name) throws Exception {
        return InferencePool.load(DetectorSettings.defaults(), 1, capacity, name);
    }

    private static RejectReason skipped(Task task) {
        assertThat(task.outcome).as(task.name).isCompletedExceptionally();
        Throwable failure = task.outcome.handle((ok, e) -> e).join();
        assertThat(failure).as(task.name).isInstanceOf(ImageRejectedException.class);
        RejectReason reason = ((ImageRejectedException) failure).reason();
        assertThat(reason.skipped()).as(task.name).isTrue();
        return reason;
    }

    private static void assertOneFace(Task task) throws Exception {
        assertThat(task.outcome.get(60, TimeUnit.SECONDS).faces()).as(task.name).hasSize(1);
    }

    @Test
    void imagesWhoseDeadlinePassedWhileQueuedAreNeitherReadNorRun() throws Exception {
        Blocker blocker = new Blocker();
        Task expired = new Task("expired", Deadline.after(Duration.ZERO, System.nanoTime()));
        Task live = new Task("live", Deadline.after(Duration.ofMinutes(5), System.nanoTime()));
        try (InferencePool pool = pool(8, "expiry-test")) {
            blocker.submitTo(pool);
            blocker.awaitTaken();
            expired.submitTo(pool);
            live.submitTo(pool);
            blocker.release.countDown();
            assertOneFace(live);
        }
        assertOneFace(blocker);
        assertThat(skipped(expired)).isEqualTo(RejectReason.EXPIRED);
        assertThat(expired.reads).hasValue(0);
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
            blocker.submitTo(pool);
            blocker.awaitTaken();
            expiring1.submitTo(pool);
            expiring2.submitTo(pool);
            while (!soon.passed(System.nanoTime())) {
                Thread.sleep(10);
            }

            live3.submitTo(pool);
            // Settled on this thread, before detect returned: the expired images made room.
            assertThat(skipped(expiring1)).isEqualTo(RejectReason.EXPIRED);
            assertThat(skipped(expiring2)).isEqualTo(RejectReason.EXPIRED);
            assertThat(live3.outcome).isNotDone();

            live4.submitTo(pool);
            live5.submitTo(pool);
            assertThat(skipped(live5)).isEqualTo(RejectReason.OVERLOADED);
            assertThat(live5.outcome.handle((ok, e) -> e.getMessage()).join()).contains("2 images already wait");

            blocker.release.countDown();
            assertOneFace(live3);
            assertOneFace(live4);
        }
        for (Task task : List.of(expiring1, expiring2, live5)) {
            assertThat(task.reads).as(task.name).hasValue(0);
        }
    }

    @Test
    void aBrokenImageFailsAloneAndTheOthersFindTheGoldenFaces() throws Exception {
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        List<Task> tasks = new ArrayList<>();
        for (String photo : golden.keySet()) {
            tasks.add(new Task(photo, TestImages.photo(photo), Deadline.NONE));
        }
        Task truncated = new Task("truncated", Arrays.copyOf(chris, chris.length / 3), Deadline.NONE);
        tasks.add(3, truncated);
        // fp32 at the reference's letterbox:640, the settings of the golden detections
        DetectorSettings settings = DetectorSettings.builder().size("letterbox:640").precision("fp32").build();
        try (InferencePool pool = InferencePool.load(settings, 1, tasks.size(), "broken-image-test")) {
            tasks.forEach(task -> task.submitTo(pool));
            CompletableFuture.allOf(tasks.stream().map(task -> task.outcome.exceptionally(e -> null))
                    .toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        assertThat(truncated.outcome).failsWithin(0, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectReason.CORRUPT_IMAGE));
        int faces = 0;
        for (Task task : tasks) {
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
            public byte[] read() {
                throw new AssertionError("from a native layer");
            }
        };
        Task after = new Task("after");
        try (InferencePool pool = pool(8, "error-test")) {
            blocker.submitTo(pool);
            blocker.awaitTaken();
            before.submitTo(pool);
            broken.submitTo(pool);
            after.submitTo(pool);
            blocker.release.countDown();
            assertThat(broken.outcome).failsWithin(60, TimeUnit.SECONDS).withThrowableThat()
                    .havingCause().isInstanceOf(AssertionError.class).withMessage("from a native layer");
            assertOneFace(before);
            assertOneFace(after);
        }
        assertOneFace(blocker);
    }

    @Test
    void closeWaitsForTheImageBeingRunThenClosesTheModelAndKeepsAnInterrupt() throws Exception {
        Blocker blocker = new Blocker();
        InferencePool pool = pool(8, "interrupted-close-test");
        blocker.submitTo(pool);
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
        blocker.submitTo(pool);
        blocker.awaitTaken();
        expired.submitTo(pool);
        waiting.submitTo(pool);
        pool.close(Duration.ofSeconds(60));

        assertOneFace(blocker);
        assertThat(skipped(expired)).isEqualTo(RejectReason.EXPIRED);
        assertThat(waiting.outcome).isNotDone();
        assertThat(waiting.reads).hasValue(0);
    }

    @Test
    void closeLeavesTheModelOpenWhileAThreadStillRunsPastTheWait() throws Exception {
        Blocker blocker = new Blocker();
        InferencePool pool = pool(8, "stuck-close-test");
        blocker.submitTo(pool);
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
