package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.ModelInfo;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.ImageDetections;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.testutils.MetricListener;
import org.junit.jupiter.api.Test;

/** What each outcome adds to which metric, read back through Flink's metric registry. */
class DetectionMetricsTest {

    private final MetricListener listener = new MetricListener();
    private final DetectionMetrics metrics = DetectionMetrics.registerOutcomes(listener.getMetricGroup());

    private static DetectionOutcome result(int faces, long decodeMicros, long inferenceMicros, long totalMicros) {
        ImageEvent event = ImageEvent.newBuilder().setEventId("e").setEventTime(Instant.EPOCH)
                .setImageBytes(ByteBuffer.wrap(new byte[] {1})).build();
        List<DetectedFace> found = new ArrayList<>();
        for (int i = 0; i < faces; i++) {
            found.add(new DetectedFace(0.9f, i, i, i + 10, i + 10, new float[10]));
        }
        ImageDetections detections = new ImageDetections(64, 48, found, decodeMicros * 1000, 0, inferenceMicros * 1000, 0);
        return DetectionOutcome.of(Results.of(event, null, new ModelInfo("m", "0"), detections, 0, totalMicros * 1000));
    }

    private static DetectionOutcome deadLetter(DeadLetterReason reason) {
        SourcedImageEvent unparseable = SourcedImageEvent.unparseable(reason, "why", null, "k", new byte[] {1});
        return DetectionOutcome.of(DeadLetters.of(unparseable, reason, "why", 1024));
    }

    private long count(String name) {
        return listener.getCounter(DetectionMetrics.GROUP, name).orElseThrow().getCount();
    }

    private long deadLetters(DeadLetterReason reason) {
        return listener.getCounter(DetectionMetrics.GROUP, DetectionMetrics.REASON, reason.name(),
                DetectionMetrics.DEAD_LETTERS).orElseThrow().getCount();
    }

    private Histogram histogram(String name) {
        return listener.getHistogram(DetectionMetrics.GROUP, name).orElseThrow();
    }

    @Test
    void resultsCountImagesAndFacesAndTheirStageTimes() {
        metrics.count(result(2, 300, 4000, 9000));
        metrics.count(result(0, 100, 2000, 5000));
        metrics.count(result(5, 200, 3000, 7000));

        assertThat(count(DetectionMetrics.IMAGES)).isEqualTo(3);
        assertThat(count(DetectionMetrics.FACES)).isEqualTo(7);
        assertThat(histogram(DetectionMetrics.DECODE_MICROS).getCount()).isEqualTo(3);
        assertThat(histogram(DetectionMetrics.DECODE_MICROS).getStatistics().getMin()).isEqualTo(100);
        assertThat(histogram(DetectionMetrics.DECODE_MICROS).getStatistics().getMax()).isEqualTo(300);
        assertThat(histogram(DetectionMetrics.INFERENCE_MICROS).getStatistics().getQuantile(0.5)).isEqualTo(3000.0);
        assertThat(histogram(DetectionMetrics.TOTAL_MICROS).getStatistics().getMean()).isEqualTo(7000.0);
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            assertThat(deadLetters(reason)).as(reason.name()).isZero();
        }
    }

    @Test
    void deadLettersCountUnderTheirReasonOnlyAndAddNoImageOrLatency() {
        metrics.count(deadLetter(DeadLetterReason.MALFORMED_EVENT));
        metrics.count(deadLetter(DeadLetterReason.TIMEOUT));
        metrics.count(deadLetter(DeadLetterReason.MALFORMED_EVENT));

        assertThat(deadLetters(DeadLetterReason.MALFORMED_EVENT)).isEqualTo(2);
        assertThat(deadLetters(DeadLetterReason.TIMEOUT)).isEqualTo(1);
        assertThat(deadLetters(DeadLetterReason.CORRUPT_IMAGE)).isZero();
        assertThat(count(DetectionMetrics.IMAGES)).isZero();
        assertThat(count(DetectionMetrics.FACES)).isZero();
        assertThat(histogram(DetectionMetrics.TOTAL_MICROS).getCount()).isZero();
    }

    @Test
    void histogramCountsEveryImageWhileQuantilesFollowTheLatestWindow() {
        int images = DetectionMetrics.HISTOGRAM_WINDOW + 100;
        for (int i = 0; i < images; i++) {
            metrics.count(result(1, i < 100 ? 1_000_000 : 10, 10, 10));
        }
        Histogram decode = histogram(DetectionMetrics.DECODE_MICROS);
        assertThat(decode.getCount()).isEqualTo(images);
        assertThat(decode.getStatistics().size()).isEqualTo(DetectionMetrics.HISTOGRAM_WINDOW);
        assertThat(decode.getStatistics().getMax()).as("the slow first images have left the window").isEqualTo(10);
    }

    @Test
    void imagesInFlightGaugeReadsTheLiveNumber() {
        AtomicInteger inFlight = DetectionMetrics.registerImagesInFlight(listener.getMetricGroup());
        Gauge<Integer> gauge = listener.<Integer>getGauge(DetectionMetrics.GROUP, DetectionMetrics.IMAGES_IN_FLIGHT).orElseThrow();
        assertThat(gauge.getValue()).isZero();
        inFlight.addAndGet(3);
        assertThat(gauge.getValue()).isEqualTo(3);
        inFlight.decrementAndGet();
        assertThat(gauge.getValue()).isEqualTo(2);
    }
}
