package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facestream.avro.DeadLetterReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Dynamic micro-batching: images run through the model together find what each finds alone, a bad
 * image in a batch fails alone, images are batched per input size, and the pool takes what is
 * waiting up to the batch size.
 */
class MicroBatchTest {

    private static final List<String> PHOTOS =
            List.of("Chris.jpeg", "Luciano.png", "astronaut.png", "camera.png", "Bryan.png", "coffee.png", "montage_4faces.png");

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

    private static List<RecordedTask> photoTasks() throws Exception {
        List<RecordedTask> tasks = new ArrayList<>();
        for (String photo : PHOTOS) {
            tasks.add(new RecordedTask(photo, TestImages.photo(photo)));
        }
        return tasks;
    }

    /** Runs the tasks as one call of a session, then each photo alone, and compares. */
    private static Map<String, ImageDetections> batchedAgreesWithAlone(DetectorSettings settings, List<RecordedTask> tasks)
            throws Exception {
        Map<String, ImageDetections> batched = new LinkedHashMap<>();
        try (FaceDetector detector = FaceDetector.load(settings); FaceDetector.Session session = detector.newSession()) {
            session.detect(List.<ImageTask>copyOf(tasks));
            for (RecordedTask task : tasks) {
                assertThat(task.completions).as(task.name).hasValue(1);
                if (task.outcome.isCompletedExceptionally()) {
                    continue;
                }
                ImageDetections together = task.outcome.get();
                ImageDetections alone = session.detect(task.image, null);
                assertThat(together.width()).isEqualTo(alone.width());
                assertThat(together.height()).isEqualTo(alone.height());
                assertThat(GoldenDetections.disagreements(task.name, alone.faces(), together.faces(), GoldenDetections.SEED_PARITY))
                        .isEmpty();
                batched.put(task.name, together);
            }
        }
        return batched;
    }

    @Test
    void aBatchFindsWhatEachImageFindsAloneAndABrokenImageFailsAlone() throws Exception {
        List<RecordedTask> tasks = new ArrayList<>(photoTasks());
        byte[] chris = TestImages.photo("Chris.jpeg");
        tasks.add(3, new RecordedTask("truncated", Arrays.copyOf(chris, chris.length / 3)));
        // fp32, the precision of the golden detections
        DetectorSettings settings = DetectorSettings.builder().size("letterbox:640").precision("fp32").maxBatch(8).build();

        Map<String, ImageDetections> batched = batchedAgreesWithAlone(settings, tasks);

        assertThat(batched).containsOnlyKeys(PHOTOS);
        assertThat(batched.values().stream().mapToInt(d -> d.faces().size()).sum()).isEqualTo(9);
        assertThat(tasks.get(3).outcome).failsWithin(0, TimeUnit.SECONDS).withThrowableThat()
                .havingCause().isInstanceOfSatisfying(ImageRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.CORRUPT_IMAGE));
        // One model call for the seven photos: they share its time.
        assertThat(batched.values().stream().map(ImageDetections::inferenceNanos).distinct()).hasSize(1);
        Map<String, GoldenDetections.Image> golden = GoldenDetections.load();
        for (String photo : PHOTOS) {
            assertThat(GoldenDetections.disagreements(photo, golden.get(photo).faces(), batched.get(photo).faces())).isEmpty();
        }
    }

    @Test
    void imagesAreBatchedPerModelInputSize() throws Exception {
        DetectorSettings settings = DetectorSettings.builder().size("fit:640").maxBatch(8).build();
        List<RecordedTask> tasks = photoTasks();
        Map<String, ImageDetections> batched = batchedAgreesWithAlone(settings, tasks);

        Map<String, List<String>> photosBySize = new LinkedHashMap<>();
        for (String photo : PHOTOS) {
            ImageDetections d = batched.get(photo);
            SizePolicy.InputPlan plan = settings.size().plans(d.width(), d.height()).get(0);
            photosBySize.computeIfAbsent(plan.tensorWidth() + "x" + plan.tensorHeight(), size -> new ArrayList<>()).add(photo);
        }
        assertThat(photosBySize.size()).as("distinct input sizes in %s", photosBySize).isBetween(2, PHOTOS.size() - 1);
        // One model call per input size: the photos of one size share its time, those of other sizes do not.
        Map<Long, List<String>> photosByCall = PHOTOS.stream()
                .collect(Collectors.groupingBy(photo -> batched.get(photo).inferenceNanos(), LinkedHashMap::new, Collectors.toList()));
        assertThat(photosByCall.values()).containsExactlyInAnyOrderElementsOf(photosBySize.values());
    }

    @Test
    void priorBoxExportsBatchToo() throws Exception {
        Path shared = GoldenDetections.shared();
        assumeTrue(shared != null, "../shared/ is absent: the biubug6 test model lives there");
        DetectorSettings settings = DetectorSettings.builder().modelPath(shared.resolve("models/retinaface_mnet025_biubug6.onnx"))
                .modelType("biubug6-1mb-mnet025").size("letterbox:640").maxBatch(4).build();
        List<RecordedTask> tasks = photoTasks().subList(0, 4);
        Map<String, ImageDetections> batched = batchedAgreesWithAlone(settings, tasks);
        assertThat(batched).hasSize(4);
        assertThat(batched.values().stream().map(ImageDetections::inferenceNanos).distinct()).hasSize(1);
    }

    @Test
    void multiPassImagesRunAloneBesideABatch() throws Exception {
        DetectorSettings settings = DetectorSettings.builder().size("multi:320,640").maxBatch(4).build();
        Map<String, ImageDetections> batched = batchedAgreesWithAlone(settings, photoTasks().subList(0, 3));
        assertThat(batched).hasSize(3);
    }

    @Test
    void thePoolBatchesWhatIsWaitingUpToTheBatchSize() throws Exception {
        DetectorSettings settings = DetectorSettings.builder().maxBatch(3).build();
        byte[] chris = TestImages.photo("Chris.jpeg");
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch allHandedOver = new CountDownLatch(1);
        RecordedTask blocker = new RecordedTask("first", chris) {
            @Override
            public byte[] encodedImage() throws Exception {
                // Keeps the only inference thread busy until the other images wait in the queue.
                taken.countDown();
                allHandedOver.await();
                return super.encodedImage();
            }
        };
        List<RecordedTask> waiting = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            waiting.add(new RecordedTask("image-" + i, chris));
        }
        try (InferencePool pool = InferencePool.load(settings, 1, 8, "micro-batch-test")) {
            pool.detect(blocker);
            assertThat(taken.await(60, TimeUnit.SECONDS)).isTrue();
            waiting.forEach(pool::detect);
            allHandedOver.countDown();
            CompletableFuture.allOf(waiting.stream().map(t -> t.outcome).toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        }
        assertThat(waiting).allSatisfy(task -> {
            assertThat(task.completions).hasValue(1);
            assertThat(task.outcome.get().faces()).hasSize(1);
        });
        // Tasks of one batch are taken together: batches of 3, 3 and 1, in the order handed over.
        List<Integer> batchSizes = new ArrayList<>(waiting.stream()
                .collect(Collectors.groupingBy(task -> task.startedNanos, java.util.TreeMap::new, Collectors.counting()))
                .values().stream().map(Long::intValue).toList());
        assertThat(batchSizes).containsExactly(3, 3, 1);
        assertThat(waiting.get(0).startedNanos).isEqualTo(waiting.get(2).startedNanos).isLessThan(waiting.get(3).startedNanos);
    }

    @Test
    void batchSizeIsValidated() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DetectorSettings.builder().maxBatch(0).build())
                .hasMessageContaining("max-batch 0: must be between 1 (no batching) and 64");
    }
}
