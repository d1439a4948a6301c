package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.TestImages;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.opencv.core.Mat;
import org.opencv.core.Size;
import org.opencv.imgproc.Imgproc;

/**
 * A model slower than the timeout under a stream that never lets up: the overflow becomes TIMEOUT
 * dead letters, the pool holds at most the operator's capacity and skips images nobody waits for,
 * and the heap stays flat. Without the bound, the pool's backlog grows by the images Flink times
 * out faster than the model runs them, each holding its bytes.
 */
@Timeout(180)
class OverloadIT extends KafkaFlinkTestBase {

    private static final String PREFIX = "flink_taskmanager_job_task_operator_facestream_";
    private static final int EVENTS = 400;
    private static final int CAPACITY = 8;
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /**
     * Allowed growth of the heap used after GC, from the first to the last third of the run. The stage
     * holds at most 2 x capacity + 1 images at any time (Flink's queue, the pool's, the one running),
     * about 11 MB of these 0.6 MB images; the rest is room for the MiniCluster's own churn (single
     * samples jumped by up to 70 MB, medians of a third moved by at most 7 MB). Without the bound, about
     * 355 images waited at the end of this run and the medians had grown by about 160 MB.
     */
    private static final long HEAP_TOLERANCE = 64L << 20;

    /** Each event with its own copy of the image, as each Kafka record has: what a waiting task keeps alive. */
    private static final class ImageEvents implements MapFunction<Long, ImageEvent> {
        private final byte[] image;

        ImageEvents(byte[] image) {
            this.image = image;
        }

        @Override
        public ImageEvent map(Long id) {
            return ImageEvent.newBuilder().setEventId(Long.toString(id)).setEventTime(Instant.now())
                    .setImageBytes(ByteBuffer.wrap(image.clone())).build();
        }
    }

    /** Chris enlarged to 1536x2034: with the native size, a few hundred ms on the model here, close to the timeout. */
    private static byte[] largeJpeg() throws Exception {
        Mat chris = TestImages.decode("Chris.jpeg");
        Mat large = new Mat();
        Imgproc.resize(chris, large, new Size(1536, 2034));
        return TestImages.encode(".jpg", large);
    }

    @Test
    void aSlowModelTurnsTheOverflowIntoTimeoutsAtAFlatHeap() throws Exception {
        byte[] image = largeJpeg();
        FaceDetectionSettings settings = FaceDetectionSettings.builder()
                .detector(DetectorSettings.builder().size("native").build())
                .inferenceThreads(1).capacity(CAPACITY).timeout(TIMEOUT).deadLetterPayloadLimit(0).build();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(1);
        FaceDetection.Streams detected = FaceDetection.detect(env.fromSequence(1, EVENTS).map(new ImageEvents(image))
                .returns(TypeInformation.of(ImageEvent.class)), settings);
        CloseableIterator<FaceDetectionResult> results = detected.results().collectAsync();
        CloseableIterator<DeadLetter> deadLetters = detected.deadLetters().collectAsync();
        String jobName = uniqueTopic("OverloadIT");
        JobClient job = env.executeAsync(jobName);
        CompletableFuture<List<FaceDetectionResult>> resultList = CompletableFuture.supplyAsync(() -> drain(results));
        CompletableFuture<List<DeadLetter>> deadLetterList = CompletableFuture.supplyAsync(() -> drain(deadLetters));

        long started = System.nanoTime();
        List<Long> heapAfterGc = new ArrayList<>();
        int maxInFlight = 0;
        for (int tick = 0; !job.getJobExecutionResult().isDone(); tick++) {
            Thread.sleep(100);
            Integer inFlight = inFlight(jobName);
            if (inFlight == null) {
                continue; // the operator is not open yet
            }
            maxInFlight = Math.max(maxInFlight, inFlight);
            if (tick % 10 == 0) {
                System.gc();
                heapAfterGc.add(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
            }
        }
        job.getJobExecutionResult().get();
        double seconds = (System.nanoTime() - started) / 1e9;
        List<FaceDetectionResult> resultsWritten = resultList.get();
        List<DeadLetter> deadLettersWritten = deadLetterList.get();
        long timeouts = deadLettersWritten.stream().filter(d -> d.getReason() == DeadLetterReason.TIMEOUT).count();
        long skipped = CollectingMetricReporter.ofJob(jobName, PREFIX + DetectionMetrics.IMAGES_SKIPPED).stream()
                .mapToLong(m -> ((Counter) m.metric()).getCount()).sum();
        int third = heapAfterGc.size() / 3;
        long firstThird = median(heapAfterGc.subList(0, third));
        long lastThird = median(heapAfterGc.subList(heapAfterGc.size() - third, heapAfterGc.size()));
        System.out.printf("OverloadIT: %d events in %.1f s: %d results, %d TIMEOUT dead letters, %d skipped, at most %d in "
                + "flight (capacity %d); heap used after GC (MB) %s, median first third %d, last third %d%n", EVENTS, seconds,
                resultsWritten.size(), timeouts, skipped, maxInFlight, CAPACITY,
                heapAfterGc.stream().map(bytes -> bytes >> 20).toList(), firstThird >> 20, lastThird >> 20);

        SoftAssertions softly = new SoftAssertions();
        softly.assertThat(Stream.concat(resultsWritten.stream().map(FaceDetectionResult::getEventId),
                deadLettersWritten.stream().map(DeadLetter::getEventId)))
                .as("one outcome per event")
                .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, EVENTS).mapToObj(Long::toString).toList());
        softly.assertThat(deadLettersWritten).extracting(DeadLetter::getReason).containsOnly(DeadLetterReason.TIMEOUT);
        softly.assertThat(timeouts).as("the overflow").isGreaterThan(EVENTS / 2);
        softly.assertThat(skipped).as("images not run, each a TIMEOUT").isPositive().isLessThanOrEqualTo(timeouts);
        // The pool's queue (at most the capacity) and the image being run; one more for an image turned
        // away, which counts until it is failed on the same thread.
        softly.assertThat(maxInFlight).as("images in the pool").isLessThanOrEqualTo(CAPACITY + 1 + 1);
        softly.assertThat(inFlight(jobName)).as("images in the pool at the end").isZero();
        softly.assertThat(third).as("heap samples per third").isGreaterThanOrEqualTo(3);
        softly.assertThat(lastThird - firstThird).as("heap growth, bytes").isLessThan(HEAP_TOLERANCE);
        softly.assertAll();
    }

    private static Integer inFlight(String jobName) {
        List<CollectingMetricReporter.Registered> gauges =
                CollectingMetricReporter.ofJob(jobName, PREFIX + DetectionMetrics.IMAGES_IN_FLIGHT);
        return gauges.isEmpty() ? null : (Integer) ((Gauge<?>) gauges.get(0).metric()).getValue();
    }

    private static <T> List<T> drain(CloseableIterator<T> iterator) {
        List<T> all = new ArrayList<>();
        iterator.forEachRemaining(all::add);
        return all;
    }

    private static long median(List<Long> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }
}
