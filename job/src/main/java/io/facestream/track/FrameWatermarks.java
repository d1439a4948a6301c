package io.facestream.track;

import io.facestream.job.SourcedImageEvent;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/** STUB, replaced by the tracker branch. */
public final class FrameWatermarks {
    private FrameWatermarks() {}

    public static WatermarkStrategy<SourcedImageEvent> of(TrackingSettings settings) {
        return WatermarkStrategy.<SourcedImageEvent>forBoundedOutOfOrderness(settings.maxOutOfOrderness())
                .withTimestampAssigner((event, recordTimestamp) -> event.event != null
                        ? event.event.getEventTime().toEpochMilli() : recordTimestamp)
                .withIdleness(settings.sourceIdleness());
    }
}
