package io.facestream.cli;

import io.facestream.avro.ImageEvent;
import io.facestream.job.ImageEventDeserializer;
import io.facestream.job.InputFormat;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

/**
 * Images as records of the job's input topic: an Avro {@code ImageEvent} carrying the bytes or a
 * {@code file:} URI to them, or in raw mode the bytes themselves. An image on its own is keyed by
 * its event id (a file's path under the folder it was found in) and stamped with the moment it is
 * sent; a {@link Frame} of a source is keyed by the source, which is where the job looks for it by
 * default, and carries the frame's event time.
 */
final class ImageRecords {

    /**
     * An image as a frame of a source (camera, stream): the source's name, the metadata field (raw:
     * the header) that also carries it, null for none, and the frame's event time.
     */
    record Frame(String source, String sourceField, Instant eventTime) {}

    private final String topic;
    private final int partitions;
    private final InputFormat format;
    private final boolean reference;

    /** {@code partitions}: the topic's, so that a raw source's frames share the partition its name would have as a key. */
    ImageRecords(String topic, int partitions, InputFormat format, boolean reference) {
        if (reference && format == InputFormat.RAW) {
            throw new IllegalArgumentException("--reference needs --input-format avro: raw records are the image bytes themselves");
        }
        this.topic = topic;
        this.partitions = partitions;
        this.format = format;
        this.reference = reference;
    }

    /** An image file on its own ({@code frame} null) or as a frame of a source. */
    ProducerRecord<byte[], byte[]> file(ImageFiles.ImageFile file, Frame frame) throws IOException {
        Map<String, String> metadata = new HashMap<>();
        metadata.put("file", file.path().toString());
        if (reference) {
            ImageEvent.Builder event = ImageEvent.newBuilder()
                    .setImageUri(file.path().toAbsolutePath().normalize().toUri().toString());
            return avro(file.name(), event, metadata, frame);
        }
        return image(file.name(), Files.readAllBytes(file.path()), null, metadata, frame);
    }

    /**
     * Image bytes under an event id, on their own or as a frame; {@code contentType} null to let the
     * job sniff the format, {@code metadata} for Avro events only (raw records have no room for it).
     */
    ProducerRecord<byte[], byte[]> image(String eventId, byte[] bytes, String contentType, Map<String, String> metadata,
                                         Frame frame) {
        if (format == InputFormat.RAW) {
            return raw(eventId, bytes, contentType, frame);
        }
        ImageEvent.Builder event = ImageEvent.newBuilder().setImageBytes(ByteBuffer.wrap(bytes)).setContentType(contentType);
        return avro(eventId, event, new HashMap<>(metadata), frame);
    }

    private ProducerRecord<byte[], byte[]> avro(String eventId, ImageEvent.Builder event, Map<String, String> metadata, Frame frame) {
        event.setEventId(eventId);
        if (frame == null) {
            event.setEventTime(Instant.now()).setMetadata(metadata);
            return new ProducerRecord<>(topic, utf8(eventId), AvroCodec.encode(event.build()));
        }
        if (frame.sourceField() != null) {
            metadata.put(frame.sourceField(), frame.source());
        }
        event.setEventTime(frame.eventTime()).setMetadata(metadata);
        return new ProducerRecord<>(topic, utf8(frame.source()), AvroCodec.encode(event.build()));
    }

    /**
     * Raw mode: the key is the event id and the event time the record timestamp, as the job reads
     * them; a frame's source goes into a header, and the record onto the partition its source's name
     * would have as a key, so that a source's frames stay in order as keyed Avro frames do.
     */
    private ProducerRecord<byte[], byte[]> raw(String eventId, byte[] bytes, String contentType, Frame frame) {
        ProducerRecord<byte[], byte[]> record;
        if (frame == null) {
            record = new ProducerRecord<>(topic, utf8(eventId), bytes);
        } else {
            if (frame.sourceField() == null) {
                throw new IllegalArgumentException("--input-format raw keeps the event id in the record key: give "
                        + "--source-field HEADER to send the source in that header (the job's --source-field reads it)");
            }
            int partition = BuiltInPartitioner.partitionForKey(utf8(frame.source()), partitions);
            record = new ProducerRecord<>(topic, partition, frame.eventTime().toEpochMilli(), utf8(eventId), bytes);
            record.headers().add(frame.sourceField(), utf8(frame.source()));
        }
        if (contentType != null) {
            record.headers().add(ImageEventDeserializer.CONTENT_TYPE_HEADER, utf8(contentType));
        }
        return record;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
