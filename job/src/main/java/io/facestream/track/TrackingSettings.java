package io.facestream.track;

import static io.facestream.track.TrackingOptions.IDLE;
import static io.facestream.track.TrackingOptions.MAX_MISSES;
import static io.facestream.track.TrackingOptions.MAX_OUT_OF_ORDERNESS;
import static io.facestream.track.TrackingOptions.MIN_HITS;
import static io.facestream.track.TrackingOptions.MIN_IOU;
import static io.facestream.track.TrackingOptions.SOURCE_FIELD;
import static io.facestream.track.TrackingOptions.SOURCE_IDLENESS;
import static io.facestream.track.TrackingOptions.TRACK;

import io.facestream.config.OptionNames;
import io.facestream.config.OptionsBuilder;
import io.facestream.config.Problems;
import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Settings of face tracking, read from the {@link TrackingOptions} and validated then.
 *
 * @param enabled whether the job tracks faces at all
 * @param sourceField the metadata field (raw input: header) naming an event's source; null: the record key
 * @param maxOutOfOrderness how far behind a source's newest frame a frame may arrive and still be ordered
 * @param sourceIdleness a Kafka partition silent this long no longer holds back event time
 * @param minHits frames a new track needs before it is confirmed
 * @param maxMisses frames in a row a track may miss its face before it ends
 * @param idle event time without its face after which a track ends, and a silent source's state is freed
 * @param minIou least IoU between a face and a track's predicted box for the face to join it
 */
public record TrackingSettings(boolean enabled, String sourceField, Duration maxOutOfOrderness, Duration sourceIdleness,
                               int minHits, int maxMisses, Duration idle, double minIou) implements Serializable {

    public static TrackingSettings defaults() {
        return builder().build();
    }

    /** @throws IllegalArgumentException naming every invalid option, as {@code names} spells it, and what to do */
    public static TrackingSettings from(ReadableConfig config, OptionNames names) {
        Problems problems = new Problems(names);
        TrackingSettings settings = from(config, problems);
        problems.throwIfAny("Invalid tracking settings");
        return settings;
    }

    private static TrackingSettings from(ReadableConfig config, Problems problems) {
        boolean enabled = problems.get(config, TRACK);
        String sourceField = problems.get(config, SOURCE_FIELD);
        if (sourceField != null && sourceField.isBlank()) {
            problems.add(SOURCE_FIELD, "''", "must name a metadata field or header; leave it unset for the record key");
        }
        Duration maxOutOfOrderness = problems.get(config, MAX_OUT_OF_ORDERNESS);
        if (maxOutOfOrderness.isNegative()) {
            problems.add(MAX_OUT_OF_ORDERNESS, maxOutOfOrderness, "must not be negative");
        }
        Duration sourceIdleness = problems.get(config, SOURCE_IDLENESS);
        if (sourceIdleness.isNegative() || sourceIdleness.isZero()) {
            problems.add(SOURCE_IDLENESS, sourceIdleness, "must be positive");
        }
        int minHits = problems.get(config, MIN_HITS);
        if (minHits < 1) {
            problems.add(MIN_HITS, minHits, "must be at least 1");
        }
        int maxMisses = problems.get(config, MAX_MISSES);
        if (maxMisses < 0) {
            problems.add(MAX_MISSES, maxMisses, "must not be negative");
        }
        Duration idle = problems.get(config, IDLE);
        if (idle.isNegative() || idle.isZero()) {
            problems.add(IDLE, idle, "must be positive");
        }
        double minIou = problems.get(config, MIN_IOU);
        if (!(minIou > 0 && minIou <= 1)) {
            problems.add(MIN_IOU, minIou, "must be above 0 and at most 1");
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new TrackingSettings(enabled, sourceField == null ? null : sourceField.strip(), maxOutOfOrderness,
                sourceIdleness, minHits, maxMisses, idle, minIou);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings in code: each call sets one {@link TrackingOptions} option; {@link #build()} validates as {@link #from} does. */
    public static final class Builder extends OptionsBuilder<Builder> {

        public Builder enabled(boolean enabled) {
            return set(TRACK, enabled);
        }

        /** Null: the record key. */
        public Builder sourceField(String sourceField) {
            return set(SOURCE_FIELD, sourceField);
        }

        public Builder maxOutOfOrderness(Duration maxOutOfOrderness) {
            return set(MAX_OUT_OF_ORDERNESS, maxOutOfOrderness);
        }

        public Builder sourceIdleness(Duration sourceIdleness) {
            return set(SOURCE_IDLENESS, sourceIdleness);
        }

        public Builder minHits(int minHits) {
            return set(MIN_HITS, minHits);
        }

        public Builder maxMisses(int maxMisses) {
            return set(MAX_MISSES, maxMisses);
        }

        public Builder idle(Duration idle) {
            return set(IDLE, idle);
        }

        public Builder minIou(double minIou) {
            return set(MIN_IOU, minIou);
        }

        public TrackingSettings build() {
            Problems problems = new Problems(OptionNames.FLAGS);
            TrackingSettings settings = from(options, problems);
            problems.throwIfAny("Invalid tracking settings");
            return settings;
        }
    }
}
