package io.facestream.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.flink.api.common.serialization.SerializationSchema;

/**
 * Kafka values in the Confluent wire format: the header naming {@code schemaId}, then the record in
 * Avro binary. The id is the one the registry gave the record class's schema before the job was
 * submitted, so nothing is looked up while records flow.
 */
public final class ConfluentAvroSerializationSchema<T extends SpecificRecord> implements SerializationSchema<T> {

    private static final long serialVersionUID = 1L;

    private final Class<T> type;
    private final int schemaId;
    private transient SpecificDatumWriter<T> writer;
    private transient ByteArrayOutputStream out;
    private transient BinaryEncoder encoder;

    public ConfluentAvroSerializationSchema(Class<T> type, int schemaId) {
        this.type = type;
        this.schemaId = schemaId;
    }

    public int schemaId() {
        return schemaId;
    }

    @Override
    public byte[] serialize(T record) {
        if (writer == null) {
            writer = new SpecificDatumWriter<>(type);
            out = new ByteArrayOutputStream();
        }
        out.reset();
        out.writeBytes(new byte[ConfluentWireFormat.HEADER_LENGTH]);
        try {
            encoder = EncoderFactory.get().binaryEncoder(out, encoder);
            writer.write(record, encoder);
            encoder.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] value = out.toByteArray();
        ConfluentWireFormat.writeHeader(schemaId, value);
        return value;
    }
}
