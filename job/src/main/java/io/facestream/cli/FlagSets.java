package io.facestream.cli;

import static io.facestream.cli.Flags.choice;
import static io.facestream.cli.Flags.list;
import static io.facestream.cli.Flags.map;
import static io.facestream.cli.Flags.toggle;
import static io.facestream.cli.Flags.value;

import io.facestream.cli.Flags.Flag;
import io.facestream.detect.DetectorOptions;
import io.facestream.detect.FaceAnonymizer;
import io.facestream.detect.FaceImagesOptions;
import io.facestream.job.InputFormat;
import io.facestream.job.JobOptions;
import io.facestream.job.KafkaOptions;
import io.facestream.registry.RegistryAuth;
import io.facestream.job.KafkaSettings;
import io.facestream.track.TrackingOptions;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.connector.base.DeliveryGuarantee;

/** The flags the commands share, each the flag of one option. */
final class FlagSets {

    private FlagSets() {}

    /** Every command that detects. */
    static final List<Flag> DETECTOR = List.of(
            value(DetectorOptions.MODEL, "PATH"),
            value(DetectorOptions.MODEL_TYPE, "NAME"),
            value(DetectorOptions.MODEL_CONFIG, "FILE"),
            value(DetectorOptions.PRECISION, "auto|fp32|int8"),
            value(DetectorOptions.SIZE, "POLICY"),
            value(DetectorOptions.SCORE_THRESHOLD, "P|model"),
            value(DetectorOptions.NMS_THRESHOLD, "IOU"),
            value(DetectorOptions.MAX_IMAGE_BYTES, "BYTES"),
            value(DetectorOptions.MAX_IMAGE_PIXELS, "PIXELS"),
            value(DetectorOptions.DEVICE, "cpu|gpu[:N]"));

    /** How face crops and anonymized images are made ({@code job}, {@code detect}). */
    static final List<Flag> FACE_IMAGES = List.of(
            value(FaceImagesOptions.CROP_SIZE, "PIXELS"),
            value(FaceImagesOptions.CROP_MIN_SCORE, "P"),
            choice(FaceImagesOptions.ANONYMIZE_STYLE, FaceAnonymizer.Style.class),
            value(FaceImagesOptions.ANONYMIZE_MARGIN, "SHARE"),
            value(FaceImagesOptions.ANONYMIZE_THRESHOLD, "P"),
            choice(FaceImagesOptions.ANONYMIZED_FORMAT, FaceImagesOptions.Format.class),
            value(FaceImagesOptions.JPEG_QUALITY, "1-100"));

    /** The detection stage inside the job ({@code job}, {@code local}). */
    static final List<Flag> DETECTION_STAGE = concat(DETECTOR, List.of(
            value(JobOptions.INFERENCE_THREADS, "N"),
            value(JobOptions.TIMEOUT, "DURATION"),
            value(JobOptions.CAPACITY, "N"),
            value(JobOptions.DEAD_LETTER_PAYLOAD_LIMIT, "BYTES"),
            list(JobOptions.IMAGE_URI_ALLOW, "LOCATION")));

    /** Face tracking over each source's frames ({@code job}, {@code local}). */
    static final List<Flag> TRACKING = List.of(
            toggle(TrackingOptions.TRACK),
            value(TrackingOptions.SOURCE_FIELD, "NAME"),
            value(TrackingOptions.MAX_OUT_OF_ORDERNESS, "DURATION"),
            value(TrackingOptions.SOURCE_IDLENESS, "DURATION"),
            value(TrackingOptions.MIN_HITS, "N"),
            value(TrackingOptions.MAX_MISSES, "N"),
            value(TrackingOptions.IDLE, "DURATION"),
            value(TrackingOptions.MIN_IOU, "IOU"));

    static final Flag BOOTSTRAP_SERVERS = value(KafkaOptions.BOOTSTRAP_SERVERS, "HOST:PORT[,...]");
    static final Flag INPUT_TOPIC = value(KafkaOptions.INPUT_TOPIC, "TOPIC");
    static final Flag OUTPUT_TOPIC = value(KafkaOptions.OUTPUT_TOPIC, "TOPIC");
    static final Flag DEAD_LETTER_TOPIC = value(KafkaOptions.DEAD_LETTER_TOPIC, "TOPIC");
    static final Flag KAFKA_CONFIG = value(KafkaOptions.KAFKA_CONFIG, "FILE");
    static final Flag INPUT_FORMAT = choice(KafkaOptions.INPUT_FORMAT, InputFormat.class);

    /** NONE is Flink's, not a choice here: without a guarantee a failure can lose results. */
    static final Flag DELIVERY_GUARANTEE = choice(KafkaOptions.DELIVERY_GUARANTEE,
            DeliveryGuarantee.EXACTLY_ONCE, DeliveryGuarantee.AT_LEAST_ONCE);

    /** The brokers, how to reach them and the job's three topics, for every command that needs them all. */
    static final List<Flag> TOPICS = List.of(BOOTSTRAP_SERVERS.asRequired(), KAFKA_CONFIG, INPUT_TOPIC, OUTPUT_TOPIC, DEAD_LETTER_TOPIC);

    /** The job's Kafka source and sinks. */
    static final List<Flag> KAFKA = concat(TOPICS, List.of(
            value(KafkaOptions.TRACKS_TOPIC, "TOPIC"),
            value(KafkaOptions.CROPS_TOPIC, "TOPIC"),
            value(KafkaOptions.ANONYMIZED_TOPIC, "TOPIC"),
            INPUT_FORMAT,
            value(KafkaOptions.GROUP_ID, "GROUP"),
            choice(KafkaOptions.STARTING_OFFSETS, KafkaSettings.StartingOffsets.class),
            toggle(KafkaOptions.BOUNDED),
            DELIVERY_GUARANTEE,
            value(KafkaOptions.TRANSACTIONAL_ID_PREFIX, "PREFIX"),
            value(KafkaOptions.TRANSACTION_TIMEOUT, "DURATION"),
            value(KafkaOptions.SCHEMA_REGISTRY, "URL"),
            choice(KafkaOptions.SCHEMA_REGISTRY_AUTH, RegistryAuth.class),
            value(KafkaOptions.SCHEMA_REGISTRY_CREDENTIALS, "file:PATH|env:NAME"),
            value(KafkaOptions.SCHEMA_REGISTRY_TRUSTSTORE, "FILE"),
            value(KafkaOptions.SCHEMA_REGISTRY_TRUSTSTORE_PASSWORD, "file:PATH|env:NAME"),
            map(KafkaOptions.CONSUMER_PROPERTIES),
            map(KafkaOptions.PRODUCER_PROPERTIES)));

    @SafeVarargs
    static List<Flag> concat(List<Flag>... lists) {
        return Stream.of(lists).flatMap(List::stream).toList();
    }
}
