package io.facestream.job;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.SourceCoordinates;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns every input Kafka record into exactly one {@link SourcedImageEvent}: never throws, so a
 * malformed record becomes a dead letter instead of failing the job.
 */
public class ImageEventDeserializer implements KafkaRecordDeserializationSchema<SourcedImageEvent> {

    private static final long serialVersionUID = 1L;
    /** Raw mode: the record header that may carry the image's MIME type. */
    public static final String CONTENT_TYPE_HEADER = "content-type";

    private final InputFormat format;
    private transient AvroCodec.Decoder<ImageEvent> decoder;

    public ImageEventDeserializer(InputFormat format) {
        this.format = format;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourcedImageEvent> out) {
        out.collect(deserialize(record));
    }

    public SourcedImageEvent deserialize(ConsumerRecord<byte[], byte[]> record) {
        SourceCoordinates source = new SourceCoordinates(record.topic(), record.partition(), record.offset());
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        byte[] value = record.value();
        if (value == null || value.length == 0) {
            return SourcedImageEvent.unparseable(DeadLetterReason.EMPTY_PAYLOAD,
                    "The record value is empty. Send " + (format == InputFormat.RAW ? "the encoded image bytes"
                            : "an Avro-encoded ImageEvent") + " as the value.", source, key, value);
        }
        return format == InputFormat.RAW ? raw(record, source, key, value) : avro(source, key, value);
    }

    private SourcedImageEvent raw(ConsumerRecord<byte[], byte[]> record, SourceCoordinates source, String key, byte[] value) {
        if (key == null || key.isBlank()) {
            return SourcedImageEvent.unparseable(DeadLetterReason.MISSING_EVENT_ID,
                    "Raw-mode records carry the event id in the key, and this record has none. Set the record key.",
                    source, null, value);
        }
        Header contentType = record.headers().lastHeader(CONTENT_TYPE_HEADER);
        ImageEvent event = ImageEvent.newBuilder()
                .setEventId(key)
                .setEventTime(Instant.ofEpochMilli(record.timestamp()))
                .setContentType(contentType == null ? null : new String(contentType.value(), StandardCharsets.UTF_8))
                .setImageBytes(java.nio.ByteBuffer.wrap(value))
                .setMetadata(Map.of())
                .build();
        // The image bytes are the record value: no separate copy is kept.
        SourcedImageEvent sourced = SourcedImageEvent.parsed(event, source, null);
        sourced.valueIsImage = true;
        return sourced;
    }

    private SourcedImageEvent avro(SourceCoordinates source, String key, byte[] value) {
        try {
            if (decoder == null) {
                decoder = new AvroCodec.Decoder<>(ImageEvent.class);
            }
            SourcedImageEvent sourced = SourcedImageEvent.parsed(decoder.decode(value), source, null);
            sourced.recordKey = key;
            return sourced;
        } catch (IOException | RuntimeException e) {
            return SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT,
                    "The record value is not an Avro-encoded ImageEvent (" + e.getClass().getSimpleName() + ": "
                            + e.getMessage() + "). Produce values with the ImageEvent schema (schemas/image_event.avsc), "
                            + "or run the job with --input-format raw for plain image bytes.", source, key, value);
        }
    }

    @Override
    public TypeInformation<SourcedImageEvent> getProducedType() {
        return TypeInformation.of(SourcedImageEvent.class);
    }
}
