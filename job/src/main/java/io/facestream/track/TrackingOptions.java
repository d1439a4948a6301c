package io.facestream.track;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * The options of face tracking, declared once: the command line has a flag {@code --KEY} for each
 * and a {@code --config} file the key itself ({@link TrackingSettings} reads them).
 */
public final class TrackingOptions {

    private TrackingOptions() {}

    public static final ConfigOption<Boolean> TRACK = key("track").booleanType().defaultValue(false)
            .withDescription("Follow faces over the frames of each source (camera, stream): every face gets a trackId, "
                    + "and a track's summary goes to --tracks-topic when it ends. Off: the job is exactly the detector.");

    public static final ConfigOption<String> SOURCE_FIELD = key("source-field").stringType().noDefaultValue()
            .withDescription("The ImageEvent metadata field (with --input-format raw: the record header) that names an "
                    + "event's source. Default: the record key, which raw input cannot use (its key is the event id).");

    public static final ConfigOption<Duration> MAX_OUT_OF_ORDERNESS = key("max-out-of-orderness").durationType()
            .defaultValue(Duration.ofMillis(500))
            .withDescription("How far behind the newest frame a source's frames may arrive and still be tracked in "
                    + "event-time order; frames wait this long before they are tracked. A later frame is passed on untracked. "
                    + "A Kafka partition without events for this long (at least 200 ms) has its newest frames tracked at once.");

    public static final ConfigOption<Duration> SOURCE_IDLENESS = key("source-idleness").durationType()
            .defaultValue(Duration.ofSeconds(5))
            .withDescription("A Kafka partition without events for this long stops holding back event time, so that "
                    + "one silent camera does not stall the others. Keep it above --max-out-of-orderness, so that the partition's "
                    + "last frames are tracked before it is set aside.");

    public static final ConfigOption<Integer> MIN_HITS = key("track-min-hits").intType().defaultValue(2)
            .withDescription("A new track is confirmed, and its faces get its trackId, once it has been seen in this many frames.");

    public static final ConfigOption<Integer> MAX_MISSES = key("track-max-misses").intType().defaultValue(10)
            .withDescription("A track ends when its face is missing from more than this many frames of its source in a row.");

    public static final ConfigOption<Duration> IDLE = key("track-idle").durationType().defaultValue(Duration.ofSeconds(5))
            .withDescription("A track ends when its face has not been seen for this long (event time); a source silent "
                    + "this long has its tracks ended and its state freed.");

    public static final ConfigOption<Double> MIN_IOU = key("track-min-iou").doubleType().defaultValue(0.3)
            .withDescription("A face joins a track only when its box overlaps the track's predicted box by at least "
                    + "this intersection over union.");

    public static final List<ConfigOption<?>> ALL = List.of(TRACK, SOURCE_FIELD, MAX_OUT_OF_ORDERNESS, SOURCE_IDLENESS,
            MIN_HITS, MAX_MISSES, IDLE, MIN_IOU);
}
