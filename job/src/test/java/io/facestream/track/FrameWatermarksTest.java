package io.facestream.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.job.SourcedImageEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.TimestampAssigner;
import org.apache.flink.api.common.eventtime.TimestampAssignerSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkGeneratorSupplier;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.util.clock.RelativeClock;
import org.junit.jupiter.api.Test;

/** The strategy as a Kafka source runs it: its timestamps, and its watermarks driven by a hand-moved clock. */
class FrameWatermarksTest {

    private static final TrackingSettings SETTINGS = TrackingSettings.builder()
            .maxOutOfOrderness(Duration.ofMillis(500)).sourceIdleness(Duration.ofSeconds(5)).build();

    /** The input activity clock, moved by the test. */
    private static final class HandClock implements RelativeClock {
        long millis = 1_000_000;

        @Override
        public long relativeTimeMillis() {
            return millis;
        }

        @Override
        public long relativeTimeNanos() {
            return millis * 1_000_000;
        }
    }

    /** What the generator told the source operator, in order. */
    private static final class Recorded implements WatermarkOutput {
        final List<Long> watermarks = new ArrayList<>();
        boolean idle;

        @Override
        public void emitWatermark(Watermark watermark) {
            watermarks.add(watermark.getTimestamp());
            idle = false;
        }

        @Override
        public void markIdle() {
            idle = true;
        }

        @Override
        public void markActive() {
            idle = false;
        }

        Long last() {
            return watermarks.isEmpty() ? null : watermarks.get(watermarks.size() - 1);
        }
    }

    private final HandClock clock = new HandClock();
    private final Recorded output = new Recorded();
    private final WatermarkStrategy<SourcedImageEvent> strategy = FrameWatermarks.of(SETTINGS);
    private final WatermarkGenerator<SourcedImageEvent> generator = generatorOf(strategy);
    private final TimestampAssigner<SourcedImageEvent> timestamps = strategy.createTimestampAssigner(
            new TimestampAssignerSupplier.Context() {
                @Override
                public MetricGroup getMetricGroup() {
                    return new UnregisteredMetricsGroup();
                }
            });

    private WatermarkGenerator<SourcedImageEvent> generatorOf(WatermarkStrategy<SourcedImageEvent> strategy) {
        return strategy.createWatermarkGenerator(new WatermarkGeneratorSupplier.Context() {
            @Override
            public MetricGroup getMetricGroup() {
                return new UnregisteredMetricsGroup();
            }

            @Override
            public RelativeClock getInputActivityClock() {
                return clock;
            }
        });
    }

    private static SourcedImageEvent event(long eventTime) {
        ImageEvent event = ImageEvent.newBuilder().setEventId("e" + eventTime).setEventTime(Instant.ofEpochMilli(eventTime))
                .setImageBytes(ByteBuffer.wrap(new byte[] {1})).build();
        return SourcedImageEvent.parsed(event, null, null);
    }

    private static SourcedImageEvent unparseable() {
        return SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT, "not an event", null, "k", new byte[] {1});
    }

    /** An event arriving now, stamped as the source operator would stamp it. */
    private void arrive(SourcedImageEvent event, long recordTimestamp) {
        generator.onEvent(event, timestamps.extractTimestamp(event, recordTimestamp), output);
    }

    private void after(long millis) {
        clock.millis += millis;
        generator.onPeriodicEmit(output);
    }

    @Test
    void timestampsAreTheEventTimeElseTheRecordTimestamp() {
        assertThat(timestamps.extractTimestamp(event(1_234), 99_999)).isEqualTo(1_234);
        assertThat(timestamps.extractTimestamp(unparseable(), 99_999)).isEqualTo(99_999);
    }

    @Test
    void aSteadyStreamHoldsTheWatermarkTheBoundBehindItsNewestFrame() {
        after(200);
        assertThat(output.watermarks).as("nothing before the first event").isEmpty();
        for (int k = 0; k < 10; k++) {
            arrive(event(10_000 + 40 * k), 0);
            arrive(event(10_000 + 40 * k - 120), 0);
            after(40);
        }
        // Frames come every 40 ms, never quiet: the newest is 10_360, and a frame 500 ms behind it is still on time.
        assertThat(output.last()).isEqualTo(10_360 - 500 - 1);
        assertThat(output.watermarks).isSorted();
        assertThat(output.idle).isFalse();
    }

    @Test
    void aQuietSourceCatchesUpWithItsNewestFrameAfterTheBound() {
        arrive(event(10_000), 0);
        arrive(event(10_040), 0);
        after(499);
        assertThat(output.last()).isEqualTo(10_040 - 501);
        after(1);
        assertThat(output.last()).as("500 ms without an event").isEqualTo(10_040);

        // The next frames' bound lies below what was already promised: the watermark does not go back.
        arrive(event(10_080), 0);
        after(40);
        assertThat(output.watermarks).isSorted();
        assertThat(output.last()).isEqualTo(10_040);
        arrive(event(11_000), 0);
        after(40);
        assertThat(output.last()).isEqualTo(11_000 - 501);
    }

    @Test
    void theQuietTimeIsAtLeastTheLeastQuietEvenWithoutABound() {
        WatermarkGenerator<SourcedImageEvent> noBound = generatorOf(FrameWatermarks.of(
                TrackingSettings.builder().maxOutOfOrderness(Duration.ZERO).build()));
        noBound.onEvent(event(5_000), 5_000, output);
        clock.millis += FrameWatermarks.LEAST_QUIET.toMillis() - 1;
        noBound.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(4_999);
        clock.millis += 1;
        noBound.onPeriodicEmit(output);
        assertThat(output.last()).isEqualTo(5_000);
    }

    @Test
    void unparseableRecordsDoNotPullTheWatermarkAhead() {
        arrive(event(10_000), 0);
        after(300);
        // Produced (Kafka timestamp) a minute after the frames were captured.
        arrive(unparseable(), 70_000);
        after(300);
        assertThat(output.last()).isEqualTo(10_000 - 501);
        // A record all the same: the input is quiet 500 ms after it, not after the last frame.
        after(200);
        assertThat(output.last()).isEqualTo(10_000);
    }

    @Test
    void aSourceSilentForTheIdlenessIsMarkedIdleAfterCatchingUp() {
        arrive(event(10_000), 0);
        for (int i = 0; i < 30; i++) {
            after(200);
        }
        assertThat(output.watermarks).contains(10_000L);
        assertThat(output.idle).isTrue();
        arrive(event(20_000), 0);
        after(200);
        assertThat(output.idle).isFalse();
        assertThat(output.last()).isEqualTo(20_000 - 501);
    }
}
