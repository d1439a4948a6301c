package io.facestream.track;

import io.facestream.job.SourcedImageEvent;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.util.clock.RelativeClock;

/**
 * Event time of the image events, for {@link FaceTracker}: an event's own {@code eventTime}, and a
 * watermark {@link TrackingSettings#maxOutOfOrderness()} behind the newest event of each Kafka partition.
 *
 * <p>A bounded out-of-orderness watermark alone holds a camera's last frames back until it sends again,
 * which may be never (a camera switched off, the end of an upload). So when a partition has had no
 * event for the out-of-orderness bound (at least {@link #LEAST_QUIET}), the watermark moves up to the
 * newest timestamp seen: nothing is on its way that could still be put in order. Quiet is measured on
 * the source's input activity clock, which Flink stops while the source is back-pressured or paused
 * for watermark alignment, so that a slow pipeline, whose events wait in Kafka rather than not exist,
 * does not make its own events late.
 *
 * <p>{@link TrackingSettings#sourceIdleness()} marks a partition without events idle, so that it does
 * not hold back event time of the others; it should be longer than the quiet time, or a quiet
 * partition turns idle before its watermark has caught up with its last frames.
 */
public final class FrameWatermarks {

    /**
     * The least quiet time before the watermark catches up: below Flink's default watermark interval
     * (200 ms) a partition would look quiet between two periodic emissions of a steady stream.
     */
    static final Duration LEAST_QUIET = Duration.ofMillis(200);

    private FrameWatermarks() {}

    public static WatermarkStrategy<SourcedImageEvent> of(TrackingSettings settings) {
        long bound = settings.maxOutOfOrderness().toMillis();
        long quiet = Math.max(bound, LEAST_QUIET.toMillis());
        return WatermarkStrategy.<SourcedImageEvent>forGenerator(
                        context -> new CatchingUpWatermarks(bound, quiet, context.getInputActivityClock()))
                .withTimestampAssigner((event, recordTimestamp) -> timestampOf(event, recordTimestamp))
                .withIdleness(settings.sourceIdleness());
    }

    /** The event's {@code eventTime}; for an event that did not parse, the Kafka record's timestamp. */
    static long timestampOf(SourcedImageEvent event, long recordTimestamp) {
        if (event.event != null && event.event.getEventTime() != null) {
            return event.event.getEventTime().toEpochMilli();
        }
        return recordTimestamp;
    }

    /** Bounded out-of-orderness that catches up with the newest timestamp once its input has gone quiet. */
    static final class CatchingUpWatermarks implements WatermarkGenerator<SourcedImageEvent> {

        private final long bound;
        private final long quietMillis;
        private final RelativeClock clock;

        private long newest = Long.MIN_VALUE;
        private long lastEventAt;
        private long emitted = Long.MIN_VALUE;

        CatchingUpWatermarks(long bound, long quietMillis, RelativeClock clock) {
            this.bound = bound;
            this.quietMillis = quietMillis;
            this.clock = clock;
        }

        @Override
        public void onEvent(SourcedImageEvent event, long eventTimestamp, WatermarkOutput output) {
            lastEventAt = clock.relativeTimeMillis();
            // A record that did not parse has only Kafka's timestamp, the time it was produced rather than
            // captured: counted, it would pull the watermark ahead of the frames and make them late.
            if (event.event != null) {
                newest = Math.max(newest, eventTimestamp);
            }
        }

        @Override
        public void onPeriodicEmit(WatermarkOutput output) {
            if (newest == Long.MIN_VALUE) {
                return;
            }
            boolean quiet = clock.relativeTimeMillis() - lastEventAt >= quietMillis;
            // newest - bound - 1: an event exactly the bound behind the newest is still on time.
            long watermark = quiet ? newest : newest - bound - 1;
            // Never back: after catching up, the next events' bound lies below what was already promised.
            if (watermark > emitted) {
                emitted = watermark;
                output.emitWatermark(new Watermark(watermark));
            }
        }
    }
}
