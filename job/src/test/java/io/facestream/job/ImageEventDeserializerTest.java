package io.facestream.job;

import io.facestream.registry.RegistryConnection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.SourceCoordinates;
import io.facestream.registry.ConfluentWireFormat;
import io.facestream.registry.StandInRegistry;
import io.facestream.schemas.AvroCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class ImageEventDeserializerTest {

    private static ConsumerRecord<byte[], byte[]> record(String key, byte[] value, long timestamp, RecordHeaders headers) {
        return record(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, timestamp, headers);
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, long timestamp, RecordHeaders headers) {
        return new ConsumerRecord<>("images", 3, 42L, timestamp, TimestampType.CREATE_TIME, -1, -1, key, value, headers,
                Optional.empty());
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
    void rawModeTakesTheLastContentTypeHeaderAndANullOrEmptyOneAsNone() {
        ImageEventDeserializer raw = new ImageEventDeserializer(InputFormat.RAW);
        byte[] image = {1, 2, 3};
        String header = ImageEventDeserializer.CONTENT_TYPE_HEADER;
        byte[] notUtf8 = {(byte) 0xFF, 'x'};
        List<RecordHeader[]> cases = List.of(
                new RecordHeader[] {new RecordHeader(header, (byte[]) null)},
                new RecordHeader[] {new RecordHeader(header, new byte[0])},
                new RecordHeader[] {new RecordHeader(header, "image/png".getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader(header, "image/jpeg".getBytes(StandardCharsets.UTF_8))},
                new RecordHeader[] {new RecordHeader(header, "image/png".getBytes(StandardCharsets.UTF_8)),
                        new RecordHeader(header, (byte[]) null)},
                new RecordHeader[] {new RecordHeader(header, notUtf8)});
        List<String> expected = Arrays.asList(null, null, "image/jpeg", null, "\uFFFDx");
        for (int i = 0; i < cases.size(); i++) {
            SourcedImageEvent sourced = raw.deserialize(record("cam-1", image, 5L, new RecordHeaders(cases.get(i))));
            assertThat(sourced.isParsed()).as("case %d", i).isTrue();
            assertThat(sourced.event.getContentType()).as("case %d", i).isEqualTo(expected.get(i));
        }
    }

    @Test
    void rawModeTakesAnyKeyBytesAndARecordWithoutTimestamp() {
        byte[] notUtf8 = {'c', (byte) 0xC3, '('};
        SourcedImageEvent sourced = new ImageEventDeserializer(InputFormat.RAW)
                .deserialize(record(notUtf8, new byte[] {1}, ConsumerRecord.NO_TIMESTAMP, new RecordHeaders()));
        assertThat(sourced.isParsed()).isTrue();
        assertThat(sourced.event.getEventId()).isEqualTo("c\uFFFD(");
        assertThat(sourced.event.getEventTime()).isEqualTo(Instant.ofEpochMilli(-1));
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
        ImageEventDeserializer framed = new ImageEventDeserializer(InputFormat.AVRO, RegistryConnection.anonymous(UNREACHABLE_REGISTRY));

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
        assertThatThrownBy(() -> new ImageEventDeserializer(InputFormat.AVRO, RegistryConnection.anonymous(UNREACHABLE_REGISTRY)).deserialize(record("k", value)))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining("--schema-registry " + UNREACHABLE_REGISTRY + " did not answer GET")
                .hasMessageContaining("/schemas/ids/7")
                .hasMessageContaining("images-3 at offset 42");
    }

    private static final int IMAGE_EVENT_ID = 5;
    /** ImageEvent and a field that nests as deep as a value's bytes say: a compatible writer schema. */
    private static final int RECURSIVE_ID = 6;

    /** An ImageEvent up to its imageBytes, whose length prefix says {@code imageBytesLength}; then 3 bytes. */
    private static byte[] imageEventClaiming(long imageBytesLength) throws IOException {
        return avroBody(encoder -> {
            encoder.writeString("e1");
            encoder.writeLong(1L);
            encoder.writeIndex(0);
            encoder.writeIndex(1);
            encoder.writeLong(imageBytesLength);
            encoder.writeFixed(new byte[] {1, 2, 3});
        });
    }

    /**
     * An ImageEvent with no image whose metadata map's first block claims {@code entries} entries, then
     * holds one; a negative count is followed by the block's size in bytes, as the encoding has it.
     */
    private static byte[] imageEventWithMetadataClaiming(long entries) throws IOException {
        return avroBody(encoder -> {
            encoder.writeString("e1");
            encoder.writeLong(1L);
            encoder.writeIndex(0);
            encoder.writeIndex(0);
            encoder.writeIndex(0);
            encoder.writeLong(entries);
            if (entries < 0) {
                encoder.writeLong(4);
            }
            encoder.writeString("k");
            encoder.writeString("v");
        });
    }

    private interface Writes {
        void to(BinaryEncoder encoder) throws IOException;
    }

    private static byte[] avroBody(Writes writes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
        writes.to(encoder);
        encoder.flush();
        return out.toByteArray();
    }

    /**
     * A length prefix is read before the bytes it counts: Avro before 1.12.2 allocated what it said
     * (1.5 GB here) before noticing that the value is 13 bytes long.
     */
    @Test
    void lengthPrefixesBeyondTheValueAreDeadLettersWithoutAllocatingWhatTheyClaim() throws IOException {
        ImageEvent valid = ImageEvent.newBuilder().setEventId("e1").setEventTime(Instant.ofEpochMilli(1))
                .setImageBytes(ByteBuffer.wrap(new byte[] {1})).build();
        List<byte[]> bombs = List.of(imageEventClaiming(1_500_000_000L), imageEventClaiming(Integer.MAX_VALUE - 8),
                avroBody(encoder -> encoder.writeLong(1_500_000_000L)),
                imageEventWithMetadataClaiming(500_000_000L), imageEventWithMetadataClaiming(-500_000_000L));
        try (StandInRegistry registry = new StandInRegistry(Map.of(IMAGE_EVENT_ID, ImageEvent.getClassSchema().toString()))) {
            ImageEventDeserializer plain = new ImageEventDeserializer(InputFormat.AVRO);
            ImageEventDeserializer framed = new ImageEventDeserializer(InputFormat.AVRO, RegistryConnection.anonymous(registry.url()));
            // The first value of each builds its reader and fetches the schema: allocations not the value's.
            assertThat(plain.deserialize(record("e1", AvroCodec.encode(valid))).isParsed()).isTrue();
            assertThat(framed.deserialize(record("e1", ConfluentWireFormat.frame(IMAGE_EVENT_ID, AvroCodec.encode(valid))))
                    .isParsed()).isTrue();
            for (byte[] bomb : bombs) {
                for (boolean isFramed : new boolean[] {false, true}) {
                    byte[] value = isFramed ? ConfluentWireFormat.frame(IMAGE_EVENT_ID, bomb) : bomb;
                    ThreadAllocation.Measured<SourcedImageEvent> measured =
                            ThreadAllocation.measure(() -> (isFramed ? framed : plain).deserialize(record("k", value)));
                    SourcedImageEvent sourced = measured.result();
                    assertThat(sourced.parseFailure).as("framed %s", isFramed).isEqualTo(DeadLetterReason.MALFORMED_EVENT);
                    assertThat(sourced.parseFailureMessage).contains("EOFException");
                    assertThat(sourced.rawPayload).isEqualTo(value);
                    assertThat(measured.bytes()).as("bytes allocated for a %d-byte value", value.length).isLessThan(256 * 1024);
                }
            }
        }
    }

    @Test
    void aValueNestedDeeperThanTheStackIsADeadLetterAndTheNextValueDecodes() throws IOException {
        Schema link = Schema.createRecord("Link", null, "io.facestream.avro", false);
        link.setFields(List.of(new Schema.Field("next", Schema.createUnion(Schema.create(Schema.Type.NULL), link), null,
                Schema.Field.NULL_DEFAULT_VALUE)));
        List<Schema.Field> fields = new ArrayList<>();
        ImageEvent.getClassSchema().getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("chain", Schema.createUnion(Schema.create(Schema.Type.NULL), link), null,
                Schema.Field.NULL_DEFAULT_VALUE));
        Schema recursive = Schema.createRecord("ImageEvent", null, "io.facestream.avro", false, fields);
        ImageEvent valid = ImageEvent.newBuilder().setEventId("e1").setEventTime(Instant.ofEpochMilli(1))
                .setImageBytes(ByteBuffer.wrap(new byte[] {1})).build();
        byte[] body = AvroCodec.encode(valid);
        byte[] deep = Arrays.copyOf(body, body.length + 1_000_001);
        // Each level is union branch 1 (a Link), zig-zag encoded as 2; the last one branch 0 (null).
        Arrays.fill(deep, body.length, deep.length - 1, (byte) 2);
        try (StandInRegistry registry = new StandInRegistry(Map.of(RECURSIVE_ID, recursive.toString()))) {
            ImageEventDeserializer framed = new ImageEventDeserializer(InputFormat.AVRO, RegistryConnection.anonymous(registry.url()));
            byte[] value = ConfluentWireFormat.frame(RECURSIVE_ID, deep);

            SourcedImageEvent sourced = framed.deserialize(record("k", value));
            assertThat(sourced.parseFailure).isEqualTo(DeadLetterReason.MALFORMED_EVENT);
            assertThat(sourced.parseFailureMessage).contains("StackOverflowError").contains("-Xss");
            assertThat(sourced.rawPayload).isEqualTo(value);
            assertThat(framed.deserialize(record("k", ConfluentWireFormat.frame(RECURSIVE_ID, Arrays.copyOf(body, body.length + 1))))
                    .event).isEqualTo(valid);
        }
    }

    @Test
    void whateverElseParsingThrowsIsADeadLetterButTheJvmsAndTheClasspathsErrorsFailTheSource() {
        for (Throwable thrown : List.of(new IllegalStateException("odd state"), new AssertionError("odd state"))) {
            ImageEventDeserializer throwing = throwing(thrown);
            List<SourcedImageEvent> out = new ArrayList<>();
            throwing.deserialize(record("k", new byte[] {7}), new ListCollector<>(out));
            assertThat(out).singleElement().satisfies(sourced -> {
                assertThat(sourced.parseFailure).isEqualTo(DeadLetterReason.MALFORMED_EVENT);
                assertThat(sourced.parseFailureMessage).contains(thrown.getClass().getSimpleName() + ": odd state")
                        .contains("report the exception");
                assertThat(sourced.rawPayload).containsExactly(7);
                assertThat(sourced.eventIdOrNull()).isEqualTo("k");
            });
        }
        for (Throwable thrown : List.of(new OutOfMemoryError("heap"), new NoClassDefFoundError("Missing"))) {
            assertThatThrownBy(() -> throwing(thrown).deserialize(record("k", new byte[] {7}))).isSameAs(thrown);
        }
    }

    private static ImageEventDeserializer throwing(Throwable thrown) {
        return new ImageEventDeserializer(InputFormat.RAW) {
            @Override
            SourcedImageEvent parse(ConsumerRecord<byte[], byte[]> record, SourceCoordinates source,
                                    String key, byte[] value) {
                if (thrown instanceof RuntimeException e) {
                    throw e;
                }
                throw (Error) thrown;
            }
        };
    }
}
