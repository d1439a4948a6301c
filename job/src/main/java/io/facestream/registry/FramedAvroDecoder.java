package io.facestream.registry;

import io.facestream.schemas.AvroTrust;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaParseException;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;

/**
 * Decodes Confluent-framed values into one record class, whatever compatible schema they were
 * written with: the writer schema of each id is fetched from the registry once, checked against
 * the class's schema and kept with its resolving reader. Not thread-safe (one per source reader).
 */
public final class FramedAvroDecoder<T extends SpecificRecord> {

    private final Class<T> type;
    private final Schema readerSchema;
    private final SchemaRegistryClient registry;
    private final Map<Integer, SpecificDatumReader<T>> readers = new HashMap<>();
    /** Ids are immutable in a registry, so an id's writer schema that cannot be read never can. */
    private final Map<Integer, String> unreadable = new HashMap<>();
    private BinaryDecoder decoder;

    public FramedAvroDecoder(Class<T> type, SchemaRegistryClient registry) {
        AvroTrust.trustFaceStreamSchemas();
        this.type = type;
        this.readerSchema = SpecificData.get().getSchema(type);
        this.registry = registry;
    }

    /**
     * The record in {@code value}; trailing bytes are an error. A {@link SchemaRegistryException}
     * means the registry could not be asked, not that the value is bad.
     */
    public T decode(byte[] value) throws ConfluentWireFormat.NotFramedException, UnreadableSchemaException, IOException {
        int schemaId = ConfluentWireFormat.schemaId(value);
        SpecificDatumReader<T> reader = readerFor(schemaId);
        decoder = DecoderFactory.get().binaryDecoder(value, ConfluentWireFormat.HEADER_LENGTH,
                value.length - ConfluentWireFormat.HEADER_LENGTH, decoder);
        T record = reader.read(null, decoder);
        if (!decoder.isEnd()) {
            throw new IOException("trailing bytes after the " + type.getSimpleName() + " written with schema id " + schemaId);
        }
        return record;
    }

    private SpecificDatumReader<T> readerFor(int schemaId) throws UnreadableSchemaException, IOException {
        SpecificDatumReader<T> reader = readers.get(schemaId);
        if (reader != null) {
            return reader;
        }
        String known = unreadable.get(schemaId);
        if (known != null) {
            throw new UnreadableSchemaException(false, known);
        }
        Optional<SchemaRegistryClient.RegisteredSchema> registered = registry.schemaById(schemaId);
        if (registered.isEmpty()) {
            // Not remembered: a producer may register the id in a moment.
            throw new UnreadableSchemaException(true, "the schema registry at " + registry.baseUrl()
                    + " has no schema with id " + schemaId);
        }
        String problem = null;
        Schema writer = null;
        if (!"AVRO".equalsIgnoreCase(registered.get().type())) {
            problem = "schema id " + schemaId + " is a " + registered.get().type() + " schema, not Avro";
        } else {
            try {
                writer = new Schema.Parser().parse(registered.get().text());
            } catch (SchemaParseException e) {
                problem = "schema id " + schemaId + " is not a self-contained Avro schema (" + e.getMessage() + ")";
            }
        }
        if (writer != null) {
            SchemaCompatibility.SchemaPairCompatibility compatibility =
                    SchemaCompatibility.checkReaderWriterCompatibility(readerSchema, writer);
            if (compatibility.getType() != SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE) {
                problem = "schema id " + schemaId + " (" + writer.getFullName() + ") cannot be read as "
                        + readerSchema.getFullName() + ": " + compatibility.getResult().getIncompatibilities().stream()
                        .map(i -> i.getMessage() + " at " + i.getLocation()).collect(Collectors.joining("; "));
            }
        }
        if (problem != null) {
            unreadable.put(schemaId, problem);
            throw new UnreadableSchemaException(false, problem);
        }
        reader = new SpecificDatumReader<>(writer, readerSchema);
        readers.put(schemaId, reader);
        return reader;
    }

    /** The value names a schema id that the registry does not have, or whose schema cannot be read as the record class. */
    public static final class UnreadableSchemaException extends Exception {
        private static final long serialVersionUID = 1L;
        private final boolean unknownId;

        UnreadableSchemaException(boolean unknownId, String message) {
            super(message);
            this.unknownId = unknownId;
        }

        /** True: the registry has no schema with the id; false: it has one, which is not readable as the record. */
        public boolean unknownId() {
            return unknownId;
        }
    }
}
