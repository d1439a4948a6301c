package io.facestream.registry;

import java.nio.ByteBuffer;

/**
 * The Confluent wire format of a Kafka value, which Confluent's and Apicurio's (ccompat)
 * serializers write: the magic byte 0, the schema id as a 4-byte big-endian int, then the Avro
 * binary body written with that schema.
 */
public final class ConfluentWireFormat {

    public static final byte MAGIC_BYTE = 0;
    /** Magic byte and schema id: where the Avro body starts. */
    public static final int HEADER_LENGTH = 5;

    private ConfluentWireFormat() {}

    /** Writes the header of a value with schema {@code schemaId} into the first five bytes of {@code target}. */
    public static void writeHeader(int schemaId, byte[] target) {
        ByteBuffer.wrap(target, 0, HEADER_LENGTH).put(MAGIC_BYTE).putInt(schemaId);
    }

    /** The header followed by {@code body}. */
    public static byte[] frame(int schemaId, byte[] body) {
        byte[] framed = new byte[HEADER_LENGTH + body.length];
        writeHeader(schemaId, framed);
        System.arraycopy(body, 0, framed, HEADER_LENGTH, body.length);
        return framed;
    }

    /** The schema id of a framed value; the body starts at {@link #HEADER_LENGTH}. */
    public static int schemaId(byte[] value) throws NotFramedException {
        if (value.length < HEADER_LENGTH) {
            throw new NotFramedException("the value has " + value.length + " byte(s), fewer than the "
                    + HEADER_LENGTH + "-byte header of magic byte 0 and schema id");
        }
        if (value[0] != MAGIC_BYTE) {
            throw new NotFramedException(String.format("the first byte is 0x%02x, not the magic byte 0x00", value[0] & 0xFF));
        }
        return ByteBuffer.wrap(value, 1, 4).getInt();
    }

    /** A value that does not start with the Confluent header. */
    public static final class NotFramedException extends Exception {
        private static final long serialVersionUID = 1L;

        NotFramedException(String message) {
            super(message);
        }
    }
}
