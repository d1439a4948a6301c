package io.facestream.job;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.SourceCoordinates;
import io.facestream.registry.ConfluentWireFormat;
import io.facestream.registry.FramedAvroDecoder;
import io.facestream.registry.RegistryConnection;
import io.facestream.registry.SchemaRegistryClient;
import io.facestream.registry.SchemaRegistryException;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/**
 * Turns every input Kafka record into exactly one {@link SourcedImageEvent}: a malformed record
 * becomes a dead letter instead of failing the job, since a record that throws here is read again
 * after every restart and stops its partition for good. The one exception is a schema registry that
 * cannot be asked for a new schema id: that is the environment failing, not the record, so the
 * source fails and Flink's restart strategy reads the record again.
 *
 * <p>Whatever else parsing one record throws, short of the JVM itself failing, becomes a
 * {@code MALFORMED_EVENT} dead letter naming the exception. A {@link StackOverflowError} counts as
 * the record's: a writer schema with a recursive type lets a value nest as deep as it has bytes, and
 * the stack it overflowed is unwound by the time it is caught. Other {@link VirtualMachineError}s
 * and {@link LinkageError}s (a broken classpath) fail the source: they are the JVM's or the
 * deployment's. Out of memory is not the record's either, since Avro keeps what a record can
 * allocate within its size: from 1.12.2 its decoder checks every length and count against the bytes
 * left before allocating (AVRO-4241, AVRO-4300), as ImageEventDeserializerTest and
 * ImageEventDeserializerFuzzTest check.
 *
 * <p>Keys are decoded as UTF-8, bytes that are not UTF-8 becoming U+FFFD. Raw mode: the event id is
 * the key, the event time the record timestamp as Kafka gives it (-1 when the record has none), and
 * the content type the value of the last {@value #CONTENT_TYPE_HEADER} header, as later Kafka headers
 * override earlier ones; a null or empty value means none (the image format is then sniffed), and
 * one that is not UTF-8 is decoded like a key and judged by the detection stage like any other. The
 * other headers become the event's metadata, decoded like keys, the last of a name winning and
 * headers without a value left out: that is where {@code --source-field} finds a raw frame's source.
 */
public class ImageEventDeserializer implements KafkaRecordDeserializationSchema<SourcedImageEvent> {

    private static final long serialVersionUID = 1L;
    /** Raw mode: the record header that may carry the image's MIME type. */
    public static final String CONTENT_TYPE_HEADER = "content-type";

    private final InputFormat format;
    /** Avro values in the Confluent wire format, writer schemas from this registry; null: plain Avro. */
    private final RegistryConnection schemaRegistry;
    private transient AvroCodec.Decoder<ImageEvent> decoder;
    private transient FramedAvroDecoder<ImageEvent> framedDecoder;

    public ImageEventDeserializer(InputFormat format) {
        this(format, null);
    }

    public ImageEventDeserializer(InputFormat format, RegistryConnection schemaRegistry) {
        this.format = format;
        this.schemaRegistry = schemaRegistry;
    }

    @Override
    public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<SourcedImageEvent> out) {
        out.collect(deserialize(record));
    }

    public SourcedImageEvent deserialize(ConsumerRecord<byte[], byte[]> record) {
        SourceCoordinates source = new SourceCoordinates(record.topic(), record.partition(), record.offset());
        String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        byte[] value = record.value();
        try {
            return parse(record, source, key, value);
        } catch (SourceFailure | LinkageError e) {
            throw e;
        } catch (StackOverflowError e) {
            return SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT, "Parsing the record value overflowed "
                    + "the thread's stack (StackOverflowError): it nests records deeper than the job can follow, which a "
                    + "recursive writer schema allows. Produce values that nest less deeply, or give the TaskManagers a "
                    + "larger thread stack (-Xss in env.java.opts.taskmanager).", source, key, value);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            return SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT, "FaceStream failed unexpectedly "
                    + "while parsing the record (" + describe(e) + "). The dead letter keeps the value: report the "
                    + "exception with the record's coordinates, and replay the value once it is fixed.", source, key, value);
        }
    }

    /** Package-private so that a test can make parsing throw what no input makes it throw today. */
    SourcedImageEvent parse(ConsumerRecord<byte[], byte[]> record, SourceCoordinates source, String key, byte[] value) {
        if (value == null || value.length == 0) {
            return SourcedImageEvent.unparseable(DeadLetterReason.EMPTY_PAYLOAD,
                    "The record value is empty. Send " + (format == InputFormat.RAW ? "the encoded image bytes"
                            : "an Avro-encoded ImageEvent") + " as the value.", source, key, value);
        }
        if (format == InputFormat.RAW) {
            return raw(record, source, key, value);
        }
        return schemaRegistry == null ? avro(source, key, value) : framedAvro(source, key, value);
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
                .setContentType(contentType == null || contentType.value() == null || contentType.value().length == 0
                        ? null : new String(contentType.value(), StandardCharsets.UTF_8))
                .setImageBytes(java.nio.ByteBuffer.wrap(value))
                .setMetadata(headerMetadata(record))
                .build();
        // The image bytes are the record value: no separate copy is kept.
        SourcedImageEvent sourced = SourcedImageEvent.parsed(event, source, null);
        sourced.valueIsImage = true;
        return sourced;
    }

    private static Map<String, String> headerMetadata(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> metadata = new HashMap<>();
        for (Header header : record.headers()) {
            if (header.key() != null && !header.key().equals(CONTENT_TYPE_HEADER) && header.value() != null) {
                metadata.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
            }
        }
        return metadata;
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
                    "The record value is not an Avro-encoded ImageEvent (" + describe(e) + "). Produce values with "
                            + "the ImageEvent schema (schemas/image_event.avsc), or run the job with --input-format raw for plain image bytes.", source, key, value);
        }
    }

    private SourcedImageEvent framedAvro(SourceCoordinates source, String key, byte[] value) {
        if (framedDecoder == null) {
            framedDecoder = new FramedAvroDecoder<>(ImageEvent.class,
                    new SchemaRegistryClient(schemaRegistry, SchemaRegistryClient.DEFAULT_TIMEOUT));
        }
        try {
            // The original value goes into a dead letter as it came: re-encoding would lose its framing and writer schema.
            SourcedImageEvent sourced = SourcedImageEvent.parsed(framedDecoder.decode(value), source, value);
            sourced.recordKey = key;
            return sourced;
        } catch (ConfluentWireFormat.NotFramedException e) {
            return SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT,
                    "The record value is not in the Confluent wire format: " + e.getMessage() + ". With --schema-registry "
                            + "the job reads Avro values that start with magic byte 0 and a 4-byte schema id, as Confluent's "
                            + "and Apicurio's Avro serializers write them; run it without --schema-registry for plain Avro values.",
                    source, key, value);
        } catch (FramedAvroDecoder.UnreadableSchemaException e) {
            return e.unknownId()
                    ? SourcedImageEvent.unparseable(DeadLetterReason.UNKNOWN_SCHEMA_ID, "The record value names a schema id "
                            + "unknown here: " + e.getMessage() + ". Produce with a serializer that registers its schema at "
                            + "the registry the job reads (--schema-registry).", source, key, value)
                    : SourcedImageEvent.unparseable(DeadLetterReason.INCOMPATIBLE_SCHEMA, "The record value was written with "
                            + "a schema FaceStream cannot read as an ImageEvent: " + e.getMessage() + ". Produce with the "
                            + "ImageEvent schema (schemas/image_event.avsc) or a compatible version of it.", source, key, value);
        } catch (InterruptedIOException e) {
            Thread.currentThread().interrupt();
            throw new SourceFailure(e.getMessage(), e);
        } catch (SchemaRegistryException e) {
            throw new SourceFailure("The schema registry at --schema-registry " + schemaRegistry.url() + " " + e.getMessage()
                    + " while the job read a record of " + source.getTopic() + "-" + source.getPartition() + " at offset "
                    + source.getOffset() + "; the source fails and reads it again when the job restarts.", e);
        } catch (IOException | RuntimeException e) {
            return SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT,
                    "The record value is framed in the Confluent wire format, but its Avro body does not decode with "
                            + "the schema it names (" + describe(e) + "). Check that its producer writes the body with "
                            + "the schema whose id it puts in the header.",
                    source, key, value);
        }
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }

    /** The environment failed, not the record: the source fails rather than dead-lettering it. */
    private static final class SourceFailure extends UncheckedIOException {
        private static final long serialVersionUID = 1L;

        SourceFailure(String message, IOException cause) {
            super(message, cause);
        }
    }

    @Override
    public TypeInformation<SourcedImageEvent> getProducedType() {
        return TypeInformation.of(SourcedImageEvent.class);
    }
}
