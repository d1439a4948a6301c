package io.facestream.job;

import io.facestream.avro.ImageEvent;
import io.facestream.detect.GoldenDetections;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The event stream of the failure tests: event i comes from one of four cameras (its record key), each
 * showing one photo in every frame, and every 40th event is garbage, so dead letters go through the
 * failures too.
 */
final class CameraEvents {

    static final int CAMERAS = 4;
    private static final int BAD_EVERY = 40;

    private final List<byte[]> photos = new ArrayList<>();

    CameraEvents() throws IOException {
        for (String name : List.of("Bryan.png", "Luciano.png", "coffee.png", "camera.png")) {
            photos.add(Files.readAllBytes(GoldenDetections.testdata().resolve(name)));
        }
    }

    static String id(int event) {
        return String.format("event-%05d", event);
    }

    static int number(String eventId) {
        return Integer.parseInt(eventId.substring("event-".length()));
    }

    /** The camera that sent the event, or null for garbage. */
    static String camera(int event) {
        return isGarbage(event) ? null : "camera-" + event % CAMERAS;
    }

    static boolean isGarbage(int event) {
        return event % BAD_EVERY == BAD_EVERY - 1;
    }

    /** Event {@code event} for {@code topic}, stamped with the wall clock: a camera's frames share its key, garbage is keyed by its event id. */
    ProducerRecord<byte[], byte[]> record(String topic, int event) throws IOException {
        String id = id(event);
        byte[] value = isGarbage(event) ? ("not an image event " + event).getBytes(StandardCharsets.UTF_8)
                : AvroCodec.encode(ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now())
                        .setImageBytes(ByteBuffer.wrap(photos.get(event % CAMERAS))).build());
        String key = isGarbage(event) ? id : camera(event);
        return new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** An idempotent producer that waits out a broker restart (5 minutes) instead of failing sends. */
    static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 300_000,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 300_000), new ByteArraySerializer(), new ByteArraySerializer());
    }
}
