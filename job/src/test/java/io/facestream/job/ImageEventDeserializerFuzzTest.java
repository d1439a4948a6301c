package io.facestream.job;

import io.facestream.registry.RegistryConnection;
import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
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
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.flink.api.common.functions.util.ListCollector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/**
 * Every record, whatever its value, key, headers and timestamp, becomes exactly one parsed event or
 * one dead letter, and parsing it allocates no more than a small multiple of its own size (a length
 * prefix that claims more than the value holds must not be believed). Random values, and valid Avro
 * ImageEvents, plain and Confluent-framed, with bit flips, changed, inserted and deleted bytes,
 * truncations and huge varints spliced in; raw-mode records with odd keys and headers.
 */
class ImageEventDeserializerFuzzTest {

    private static final long SEED = 0x12_0B5E55EDL;
    private static final int IMAGE_EVENT_ID = 1;
    /** A newer producer's ImageEvent: an array and a string field more, which the reader skips. */
    private static final int NEWER_IMAGE_EVENT_ID = 2;
    private static final Schema NEWER_IMAGE_EVENT = newerImageEvent();
    private static final long ALLOCATION_PER_BYTE = 64;
    private static final long ALLOCATION_BASE = 1 << 20;

    private enum Kind { RANDOM_VALUE, AVRO, FRAMED_AVRO, RAW }

    private final Random random = new Random(SEED);

    @Test
    void everyRecordBecomesExactlyOneEventOrDeadLetterWithinABoundedAllocation() throws IOException {
        Map<Kind, Integer> cases = new EnumMap<>(Map.of(Kind.RANDOM_VALUE, 2_000, Kind.AVRO, 4_000,
                Kind.FRAMED_AVRO, 3_000, Kind.RAW, 3_000));
        Map<Kind, Map<String, Integer>> outcomes = new EnumMap<>(Kind.class);
        Map<Kind, String> seconds = new EnumMap<>(Kind.class);
        double worstBytesPerRecordByte = 0;
        long started = System.nanoTime();
        try (StandInRegistry registry = new StandInRegistry(Map.of(IMAGE_EVENT_ID, ImageEvent.getClassSchema().toString(),
                NEWER_IMAGE_EVENT_ID, NEWER_IMAGE_EVENT.toString()))) {
            Map<Kind, ImageEventDeserializer> deserializers = new EnumMap<>(Map.of(
                    Kind.RANDOM_VALUE, new ImageEventDeserializer(InputFormat.AVRO),
                    Kind.AVRO, new ImageEventDeserializer(InputFormat.AVRO),
                    Kind.FRAMED_AVRO, new ImageEventDeserializer(InputFormat.AVRO, RegistryConnection.anonymous(registry.url())),
                    Kind.RAW, new ImageEventDeserializer(InputFormat.RAW)));
            warmUp(deserializers);
            for (Map.Entry<Kind, Integer> kind : cases.entrySet()) {
                long kindStarted = System.nanoTime();
                for (int i = 0; i < kind.getValue(); i++) {
                    Case fuzzed = fuzz(kind.getKey());
                    String label = kind.getKey() + " case " + i;
                    ImageEventDeserializer deserializer = deserializers.get(kind.getKey());
                    ThreadAllocation.Measured<List<SourcedImageEvent>> measured = ThreadAllocation.measure(() -> {
                        List<SourcedImageEvent> out = new ArrayList<>(1);
                        if (random.nextBoolean()) {
                            deserializer.deserialize(fuzzed.record, new ListCollector<>(out));
                        } else {
                            out.add(deserializer.deserialize(fuzzed.record));
                        }
                        return out;
                    });
                    assertThat(measured.result()).as(label).hasSize(1).doesNotContainNull();
                    SourcedImageEvent sourced = measured.result().get(0);
                    check(label, kind.getKey(), fuzzed, sourced);
                    long recordBytes = recordBytes(fuzzed.record);
                    assertThat(measured.bytes()).as("%s: bytes allocated for a record of %d bytes", label, recordBytes)
                            .isLessThanOrEqualTo(ALLOCATION_PER_BYTE * recordBytes + ALLOCATION_BASE);
                    worstBytesPerRecordByte = Math.max(worstBytesPerRecordByte,
                            (double) Math.max(0, measured.bytes() - ALLOCATION_BASE) / Math.max(1, recordBytes));
                    outcomes.computeIfAbsent(kind.getKey(), k -> new TreeMap<>())
                            .merge(sourced.isParsed() ? "parsed" : sourced.parseFailure.toString(), 1, Integer::sum);
                }
                seconds.put(kind.getKey(), String.format("%.1f s", (System.nanoTime() - kindStarted) / 1e9));
            }
        }
        System.out.printf("ImageEventDeserializerFuzzTest seed %#x: %d cases in %.1f s (%s), %s; worst allocation "
                        + "beyond 1 MiB: %.1f bytes per record byte%n", SEED, cases.values().stream().mapToInt(n -> n).sum(),
                (System.nanoTime() - started) / 1e9, seconds, outcomes, worstBytesPerRecordByte);
        // A fuzzer that never produced a parsed event or a dead letter of some kind would prove little.
        assertThat(outcomes.get(Kind.AVRO)).containsKeys("parsed", "MALFORMED_EVENT");
        assertThat(outcomes.get(Kind.FRAMED_AVRO)).containsKeys("parsed", "MALFORMED_EVENT", "UNKNOWN_SCHEMA_ID");
        assertThat(outcomes.get(Kind.RAW)).containsKeys("parsed", "MISSING_EVENT_ID", "EMPTY_PAYLOAD");
    }

    /** A record, and when it was made from an ImageEvent left intact, that event. */
    private record Case(ConsumerRecord<byte[], byte[]> record, ImageEvent intact) {}

    private static void check(String label, Kind kind, Case fuzzed, SourcedImageEvent sourced) {
        ConsumerRecord<byte[], byte[]> record = fuzzed.record;
        assertThat(sourced.source.getTopic()).as(label).isEqualTo(record.topic());
        assertThat(sourced.source.getOffset()).as(label).isEqualTo(record.offset());
        if (!sourced.isParsed()) {
            assertThat(fuzzed.intact).as("%s: a valid event is parsed, not dead-lettered (%s)", label,
                    sourced.parseFailureMessage).isNull();
            assertThat(sourced.parseFailure).as(label).isIn(EXPECTED_FAILURES.get(kind));
            assertThat(sourced.parseFailureMessage).as(label).isNotBlank()
                    .as("%s: only input no code foresaw reaches the last-resort catch", label)
                    .doesNotContain("failed unexpectedly");
            assertThat(sourced.rawPayload).as(label).isEqualTo(record.value());
            return;
        }
        ImageEvent event = sourced.event;
        assertThat(event).as(label).isNotNull();
        assertThat(event.getEventId()).as(label).isNotNull();
        assertThat(event.getEventTime()).as(label).isNotNull();
        assertThat(event.getMetadata()).as(label).isNotNull();
        if (fuzzed.intact != null) {
            assertThat(event).as(label).isEqualTo(fuzzed.intact);
        }
        if (kind == Kind.RAW) {
            assertThat(event.getEventId()).as(label).isEqualTo(new String(record.key(), StandardCharsets.UTF_8));
            assertThat(event.getEventTime()).as(label).isEqualTo(Instant.ofEpochMilli(record.timestamp()));
            assertThat(DeadLetters.originalPayload(sourced)).as(label).isEqualTo(record.value());
        }
    }

    private static final Map<Kind, Set<DeadLetterReason>> EXPECTED_FAILURES = Map.of(
            Kind.RANDOM_VALUE, Set.of(DeadLetterReason.EMPTY_PAYLOAD, DeadLetterReason.MALFORMED_EVENT),
            Kind.AVRO, Set.of(DeadLetterReason.EMPTY_PAYLOAD, DeadLetterReason.MALFORMED_EVENT),
            Kind.FRAMED_AVRO, Set.of(DeadLetterReason.EMPTY_PAYLOAD, DeadLetterReason.MALFORMED_EVENT,
                    DeadLetterReason.UNKNOWN_SCHEMA_ID),
            Kind.RAW, Set.of(DeadLetterReason.EMPTY_PAYLOAD, DeadLetterReason.MISSING_EVENT_ID));

    /** Builds each deserializer's reader and fetches the known schemas: allocations once per job, not per record. */
    private void warmUp(Map<Kind, ImageEventDeserializer> deserializers) {
        byte[] body = AvroCodec.encode(imageEvent());
        List<ConsumerRecord<byte[], byte[]>> records = List.of(record(null, body, 0, new RecordHeaders()),
                record(null, ConfluentWireFormat.frame(IMAGE_EVENT_ID, body), 0, new RecordHeaders()),
                record(null, ConfluentWireFormat.frame(NEWER_IMAGE_EVENT_ID, newerImageEvent(imageEvent())), 0, new RecordHeaders()),
                record(null, ConfluentWireFormat.frame(404, body), 0, new RecordHeaders()),
                record(new byte[] {'k'}, body, 0, new RecordHeaders()));
        for (ImageEventDeserializer deserializer : deserializers.values()) {
            records.forEach(deserializer::deserialize);
        }
    }

    private Case fuzz(Kind kind) {
        byte[] key = oneOf(() -> null, () -> randomBytes(random.nextInt(40)), () -> "cam-7".getBytes(StandardCharsets.UTF_8));
        long timestamp = timestamp();
        RecordHeaders headers = random.nextInt(4) == 0 ? headers() : new RecordHeaders();
        return switch (kind) {
            case RANDOM_VALUE -> new Case(record(key, randomValue(), timestamp, headers), null);
            case AVRO -> {
                ImageEvent event = imageEvent();
                byte[] value = AvroCodec.encode(event);
                boolean intact = random.nextInt(10) == 0;
                yield new Case(record(key, intact ? value : mutate(value), timestamp, headers), intact ? event : null);
            }
            case FRAMED_AVRO -> {
                ImageEvent event = imageEvent();
                int schemaId = oneOf(() -> IMAGE_EVENT_ID, () -> NEWER_IMAGE_EVENT_ID, () -> 1000 + random.nextInt(1000));
                byte[] value = ConfluentWireFormat.frame(schemaId,
                        schemaId == NEWER_IMAGE_EVENT_ID ? newerImageEvent(event) : AvroCodec.encode(event));
                boolean intact = random.nextInt(10) == 0;
                yield new Case(record(key, intact ? value : mutate(value), timestamp, headers),
                        intact && schemaId <= NEWER_IMAGE_EVENT_ID ? event : null);
            }
            case RAW -> new Case(record(rawKey(), random.nextInt(10) == 0 ? null : randomValue(), timestamp, rawHeaders()), null);
        };
    }

    private ImageEvent imageEvent() {
        ImageEvent.Builder event = ImageEvent.newBuilder()
                .setEventId(oneOf(() -> "", () -> "e-" + random.nextInt(1000), () -> randomText(random.nextInt(60))))
                .setEventTime(Instant.ofEpochMilli(timestamp()))
                .setContentType(oneOf(() -> null, () -> "image/jpeg", () -> randomText(random.nextInt(20))));
        if (random.nextInt(4) == 0) {
            event.setImageUri("file:///images/" + randomText(random.nextInt(30)));
        } else if (random.nextInt(8) != 0) {
            event.setImageBytes(ByteBuffer.wrap(randomBytes(random.nextInt(10) == 0 ? random.nextInt(65_536) : random.nextInt(2_048))));
        }
        Map<String, String> metadata = new HashMap<>();
        for (int i = random.nextInt(3) == 0 ? random.nextInt(6) : 0; i > 0; i--) {
            metadata.put(randomText(random.nextInt(12)), randomText(random.nextInt(24)));
        }
        return event.setMetadata(metadata).build();
    }

    private byte[] newerImageEvent(ImageEvent event) {
        GenericRecord newer = new GenericData.Record(NEWER_IMAGE_EVENT);
        for (Schema.Field field : ImageEvent.getClassSchema().getFields()) {
            newer.put(field.name(), event.get(field.name()));
        }
        newer.put("eventTime", event.getEventTime().toEpochMilli());
        List<String> tags = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            tags.add(randomText(random.nextInt(10)));
        }
        newer.put("tags", tags);
        newer.put("camera", random.nextBoolean() ? null : randomText(random.nextInt(16)));
        return avro(encoder -> new GenericDatumWriter<GenericRecord>(NEWER_IMAGE_EVENT).write(newer, encoder));
    }

    private static Schema newerImageEvent() {
        List<Schema.Field> fields = new ArrayList<>();
        ImageEvent.getClassSchema().getFields().forEach(field -> fields.add(new Schema.Field(field, field.schema())));
        fields.add(new Schema.Field("tags", Schema.createArray(Schema.create(Schema.Type.STRING)), null, List.of()));
        fields.add(new Schema.Field("camera", Schema.createUnion(Schema.create(Schema.Type.NULL), Schema.create(Schema.Type.STRING)),
                null, Schema.Field.NULL_DEFAULT_VALUE));
        return Schema.createRecord("ImageEvent", null, "io.facestream.avro", false, fields);
    }

    /** One to four changes, each a bit flip, a changed, inserted or deleted run of bytes, a truncation or a spliced varint. */
    private byte[] mutate(byte[] value) {
        byte[] mutated = value;
        for (int changes = 1 + random.nextInt(4); changes > 0; changes--) {
            int at = mutated.length == 0 ? 0 : random.nextInt(mutated.length);
            mutated = switch (random.nextInt(7)) {
                case 0 -> {
                    byte[] flipped = mutated.clone();
                    if (flipped.length > 0) {
                        flipped[at] ^= (byte) (1 << random.nextInt(8));
                    }
                    yield flipped;
                }
                case 1 -> {
                    byte[] changed = mutated.clone();
                    for (int i = at; i < Math.min(changed.length, at + 1 + random.nextInt(4)); i++) {
                        changed[i] = (byte) random.nextInt(256);
                    }
                    yield changed;
                }
                case 2 -> splice(mutated, at, at, randomBytes(1 + random.nextInt(16)));
                case 3 -> splice(mutated, at, Math.min(mutated.length, at + 1 + random.nextInt(16)), new byte[0]);
                case 4 -> Arrays.copyOf(mutated, at);
                // A length, count or union index that claims far more than the value holds, or a negative one.
                case 5 -> splice(mutated, at, Math.min(mutated.length, at + 1 + random.nextInt(5)), varint(hugeNumber()));
                default -> splice(mutated, at, at, varint(hugeNumber()));
            };
        }
        return mutated;
    }

    private long hugeNumber() {
        long magnitude = oneOf(() -> (long) Integer.MAX_VALUE, () -> (long) Integer.MAX_VALUE - 8, () -> 1_500_000_000L,
                () -> Long.MAX_VALUE, () -> Long.MIN_VALUE, () -> 1L << (20 + random.nextInt(43)), random::nextLong);
        return random.nextInt(4) == 0 ? -magnitude : magnitude;
    }

    private static byte[] varint(long number) {
        return avro(encoder -> encoder.writeLong(number));
    }

    private static byte[] splice(byte[] value, int from, int to, byte[] replacement) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + replacement.length);
        out.write(value, 0, from);
        out.write(replacement, 0, replacement.length);
        out.write(value, to, value.length - to);
        return out.toByteArray();
    }

    private byte[] randomValue() {
        return randomBytes(switch (random.nextInt(10)) {
            case 0 -> 0;
            case 1, 2, 3, 4 -> random.nextInt(64);
            case 5, 6, 7, 8 -> random.nextInt(1_024);
            default -> random.nextInt(65_536);
        });
    }

    private byte[] rawKey() {
        return oneOf(() -> null, () -> new byte[0], () -> " \t".getBytes(StandardCharsets.UTF_8),
                () -> randomBytes(1 + random.nextInt(40)), () -> ("cam-" + random.nextInt(100)).getBytes(StandardCharsets.UTF_8),
                () -> random.nextInt(20) == 0 ? randomBytes(1 << 20) : randomText(200).getBytes(StandardCharsets.UTF_8));
    }

    private RecordHeaders rawHeaders() {
        return random.nextInt(3) == 0 ? new RecordHeaders() : headers();
    }

    /** Content-type headers with null, empty, binary and textual values, among others; sometimes hundreds. */
    private RecordHeaders headers() {
        RecordHeaders headers = new RecordHeaders();
        for (int i = random.nextInt(20) == 0 ? 100 + random.nextInt(400) : random.nextInt(5); i > 0; i--) {
            String name = oneOf(() -> ImageEventDeserializer.CONTENT_TYPE_HEADER, () -> ImageEventDeserializer.CONTENT_TYPE_HEADER,
                    () -> "Content-Type", () -> "", () -> randomText(random.nextInt(20)));
            byte[] value = oneOf(() -> null, () -> new byte[0], () -> randomBytes(random.nextInt(64)),
                    () -> "image/png".getBytes(StandardCharsets.UTF_8), () -> "text/plain; charset=utf-8".getBytes(StandardCharsets.UTF_8),
                    () -> randomText(random.nextInt(40)).getBytes(StandardCharsets.UTF_8));
            headers.add(new RecordHeader(name, value));
        }
        return headers;
    }

    private long timestamp() {
        return oneOf(() -> ConsumerRecord.NO_TIMESTAMP, () -> 0L, () -> Long.MIN_VALUE, () -> Long.MAX_VALUE, random::nextLong,
                () -> 1_700_000_000_000L + random.nextInt(1_000_000_000));
    }

    private byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    /** Letters, digits, punctuation, a surrogate pair and a control character now and then. */
    private String randomText(int length) {
        StringBuilder text = new StringBuilder(length);
        String alphabet = "abcxyzABC019 /-_.;=:\u00e9\u4e2d\u0000";
        while (text.length() < length) {
            if (random.nextInt(50) == 0) {
                text.append("\ud83d\ude00");
            } else {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return text.toString();
    }

    @SafeVarargs
    private <T> T oneOf(Supplier<T>... choices) {
        return choices[random.nextInt(choices.length)].get();
    }

    private static ConsumerRecord<byte[], byte[]> record(byte[] key, byte[] value, long timestamp, RecordHeaders headers) {
        return new ConsumerRecord<>("images", 0, 7L, timestamp, TimestampType.CREATE_TIME, -1, -1, key, value, headers,
                Optional.empty());
    }

    private static long recordBytes(ConsumerRecord<byte[], byte[]> record) {
        long bytes = (record.key() == null ? 0 : record.key().length) + (record.value() == null ? 0 : record.value().length);
        for (var header : record.headers()) {
            bytes += header.key().length() + (header.value() == null ? 0 : header.value().length);
        }
        return bytes;
    }

    private interface Writes {
        void to(BinaryEncoder encoder) throws IOException;
    }

    private static byte[] avro(Writes writes) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            writes.to(encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
