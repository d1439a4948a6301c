package io.facestream.cli;

import io.facestream.avro.ImageEvent;
import io.facestream.job.InputFormat;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Image files as records of the job's input topic, keyed by event id (the file's path under the
 * folder it was found in): an Avro {@code ImageEvent} carrying the bytes or a {@code file:} URI
 * to them, or in raw mode the bytes themselves.
 */
final class ImageRecords {

    private ImageRecords() {}

    static ProducerRecord<byte[], byte[]> of(String topic, ImageFiles.ImageFile file, InputFormat format, boolean reference)
            throws IOException {
        String eventId = file.name();
        byte[] key = eventId.getBytes(StandardCharsets.UTF_8);
        if (format == InputFormat.RAW) {
            if (reference) {
                throw new IllegalArgumentException("--reference needs --input-format avro: raw records are the image bytes themselves");
            }
            return new ProducerRecord<>(topic, key, Files.readAllBytes(file.path()));
        }
        ImageEvent.Builder event = ImageEvent.newBuilder()
                .setEventId(eventId)
                .setEventTime(Instant.now())
                .setMetadata(Map.of("file", file.path().toString()));
        if (reference) {
            event.setImageUri(file.path().toAbsolutePath().normalize().toUri().toString());
        } else {
            event.setImageBytes(ByteBuffer.wrap(Files.readAllBytes(file.path())));
        }
        return new ProducerRecord<>(topic, key, AvroCodec.encode(event.build()));
    }
}
