package io.facestream.schemas;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.io.JsonEncoder;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;

/**
 * Plain Avro binary encoding of FaceStream's records (the Kafka values, no framing), and Avro's
 * JSON encoding of them (the specification's: any Avro library reads it back with the schema).
 */
public final class AvroCodec {

    private AvroCodec() {}

    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> byte[] encode(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(out, null);
            new SpecificDatumWriter<>((Class<T>) record.getClass()).write(record, encoder);
            encoder.flush();
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record in Avro's JSON encoding, on one line. */
    @SuppressWarnings("unchecked")
    public static <T extends SpecificRecord> String encodeJson(T record) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            JsonEncoder encoder = EncoderFactory.get().jsonEncoder(record.getSchema(), out);
            new SpecificDatumWriter<>((Class<T>) record.getClass()).write(record, encoder);
            encoder.flush();
            return out.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads one record in Avro's JSON encoding, as {@link #encodeJson} writes it, also when an earlier
     * release wrote it: Avro's JSON names every field of its writer's schema and nothing else, so a line
     * that does not read with the current schema is read with each released version (schemas/history),
     * newest first, resolved to the current one.
     */
    public static <T extends SpecificRecord> T decodeJson(String json, Class<T> type) throws IOException {
        AvroTrust.trustFaceStreamSchemas();
        SpecificDatumReader<T> reader = new SpecificDatumReader<>(type);
        try {
            return reader.read(null, DecoderFactory.get().jsonDecoder(reader.getSchema(), json));
        } catch (AvroTypeException | IOException current) {
            List<Schema> released = RELEASED.computeIfAbsent(reader.getSchema().getName(), AvroCodec::releasedVersions);
            for (int version = released.size() - 1; version >= 0; version--) {
                try {
                    Schema writer = released.get(version);
                    return new SpecificDatumReader<T>(writer, reader.getSchema()).read(null,
                            DecoderFactory.get().jsonDecoder(writer, json));
                } catch (AvroTypeException | IOException older) {
                    current.addSuppressed(older);
                }
            }
            throw current;
        }
    }

    /** The released versions of each record, read once: a file of older lines falls back on every line. */
    private static final Map<String, List<Schema>> RELEASED = new ConcurrentHashMap<>();

    /** history/RECORD/v1.avsc, v2.avsc, ... as the schemas jar carries them; empty for a record without history. */
    private static List<Schema> releasedVersions(String record) {
        List<Schema> versions = new ArrayList<>();
        for (int version = 1; ; version++) {
            try (InputStream file = AvroCodec.class.getResourceAsStream("history/" + record + "/v" + version + ".avsc")) {
                if (file == null) {
                    return List.copyOf(versions);
                }
                versions.add(new Schema.Parser().parse(file));
            } catch (IOException e) {
                throw new UncheckedIOException("reading the released schema history/" + record + "/v" + version + ".avsc", e);
            }
        }
    }

    /** Decodes a whole value; trailing bytes are an error. */
    public static <T extends SpecificRecord> T decode(byte[] bytes, Class<T> type) throws IOException {
        return new Decoder<>(type).decode(bytes);
    }

    /** A reusable decoder of one record type, for hot paths; not thread-safe. */
    public static final class Decoder<T extends SpecificRecord> {
        private final Class<T> type;
        private final SpecificDatumReader<T> reader;
        private BinaryDecoder decoder;

        public Decoder(Class<T> type) {
            AvroTrust.trustFaceStreamSchemas();
            this.type = type;
            this.reader = new SpecificDatumReader<>(type);
        }

        /** Decodes a whole value into a new record; trailing bytes are an error. */
        public T decode(byte[] bytes) throws IOException {
            decoder = DecoderFactory.get().binaryDecoder(bytes, decoder);
            T record = reader.read(null, decoder);
            if (!decoder.isEnd()) {
                throw new IOException("trailing bytes after the " + type.getSimpleName());
            }
            return record;
        }
    }
}
