package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.registry.ConfluentWireFormat;
import io.facestream.schemas.AvroCodec;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ImageEventDeserializerTest {

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, long timestamp, RecordHeaders headers) {
        return new ConsumerRecord<>("images", 3, 42L, timestamp, TimestampType.CREATE_TIME, -1, -1,
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, headers, Optional.empty());
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value) {
        return record(key, value, 0L, new RecordHeaders());
    }

    @Test
    void avroEventKeepsItsFieldsAndSource() {
        ImageEvent event = ImageEvent.newBuilder().setEventId("e1").setEventTime(Instant.ofEpochMilli(1234))
                .setContentType("image/png").setImageBytes(ByteBuffer.wrap(new byte[] {1, 2, 3})).build();
        SourcedImageEvent sourced = new ImageEventDeserializer(InputFormat.AVRO).deserialize(record("e1", AvroCodec.encode(event)));
        assertThat(sourced.isParsed()).isTrue();
        assertThat(sourced.event).isEqualTo(event);
        assertThat(sourced.source.getTopic()).isEqualTo("images");
        assertThat(sourced.source.getPartition()).isEqualTo(3);
        assertThat(sourced.source.getOffset()).isEqualTo(42L);
    }

    @Test
    void malformedAndEmptyValuesBecomeParseFailuresNotExceptions() {
        byte[] random = new byte[512];
        new Random(7).nextBytes(random);
        ImageEventDeserializer avro = new ImageEventDeserializer(InputFormat.AVRO);

        SourcedImageEvent malformed = avro.deserialize(record("k", random));
        assertThat(malformed.parseFailure).isEqualTo(DeadLetterReason.MALFORMED_EVENT);
        assertThat(malformed.parseFailureMessage).contains("--input-format raw");
        assertThat(malformed.rawPayload).isEqualTo(random);
        assertThat(malformed.eventIdOrNull()).isEqualTo("k");

        assertThat(avro.deserialize(record("k", new byte[0])).parseFailure).isEqualTo(DeadLetterReason.EMPTY_PAYLOAD);
        assertThat(avro.deserialize(record("k", null)).parseFailure).isEqualTo(DeadLetterReason.EMPTY_PAYLOAD);
    }

    @Test
    void rawModeTakesIdFromKeyTimeFromTimestampAndContentTypeFromHeader() {
        RecordHeaders headers = new RecordHeaders();
        headers.add(new RecordHeader(ImageEventDeserializer.CONTENT_TYPE_HEADER, "image/jpeg".getBytes(StandardCharsets.UTF_8)));
        byte[] image = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF};
        SourcedImageEvent sourced = new ImageEventDeserializer(InputFormat.RAW).deserialize(record("cam-7", image, 99L, headers));
        assertThat(sourced.isParsed()).isTrue();
        assertThat(sourced.event.getEventId()).isEqualTo("cam-7");
        assertThat(sourced.event.getEventTime()).isEqualTo(Instant.ofEpochMilli(99));
        assertThat(sourced.event.getContentType()).isEqualTo("image/jpeg");
        assertThat(DeadLetters.originalPayload(sourced)).isEqualTo(image);
    }

    @Test
    void rawRecordWithoutKeyHasNoEventId() {
        SourcedImageEvent sourced = new ImageEventDeserializer(InputFormat.RAW).deserialize(record(null, new byte[] {1}));
        assertThat(sourced.parseFailure).isEqualTo(DeadLetterReason.MISSING_EVENT_ID);
    }

    /** Nothing listens on port 1: the registry cannot be asked. */
    private static final String UNREACHABLE_REGISTRY = "http://127.0.0.1:1";

    @Test
    void withARegistryPlainAvroValuesAreDeadLettersNamingTheFraming() {
        ImageEvent event = ImageEvent.newBuilder().setEventId("e1").setEventTime(Instant.ofEpochMilli(1))
                .setImageBytes(ByteBuffer.wrap(new byte[] {1})).build();
        byte[] plain = AvroCodec.encode(event);
        ImageEventDeserializer framed = new ImageEventDeserializer(InputFormat.AVRO, UNREACHABLE_REGISTRY);

        SourcedImageEvent sourced = framed.deserialize(record("e1", plain));
        assertThat(sourced.parseFailure).isEqualTo(DeadLetterReason.MALFORMED_EVENT);
        assertThat(sourced.parseFailureMessage).contains("not in the Confluent wire format")
                .contains("first byte is 0x04").contains("without --schema-registry");
        assertThat(DeadLetters.originalPayload(sourced)).isEqualTo(plain);
        assertThat(framed.deserialize(record("k", new byte[] {0, 0})).parseFailureMessage).contains("2 byte(s)");
    }

    @Test
    void anUnreachableRegistryFailsTheSourceInsteadOfDeadLetteringTheEvent() {
        byte[] value = ConfluentWireFormat.frame(7, new byte[] {2, 'x'});
        assertThatThrownBy(() -> new ImageEventDeserializer(InputFormat.AVRO, UNREACHABLE_REGISTRY).deserialize(record("k", value)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("--schema-registry " + UNREACHABLE_REGISTRY + " did not answer GET")
                .hasMessageContaining("/schemas/ids/7")
                .hasMessageContaining("images-3 at offset 42");
    }
}
