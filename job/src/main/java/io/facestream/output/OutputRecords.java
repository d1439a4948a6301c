package io.facestream.output;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.schemas.AvroCodec;
import io.facestream.schemas.AvroTrust;
import java.io.IOException;
import org.apache.avro.specific.SpecificRecord;

/**
 * The job's output records as they lie on Kafka (results and dead letters, plain Avro binary
 * values), and as the JSON lines every tool writes and reads ({@code detections.jsonl},
 * {@code errors.jsonl}, {@code consume}'s output): Avro's JSON encoding of the same records, one
 * layout that any Avro library reads back with the schema. Every tool goes through here, so
 * another framing of the values is added in this one place. Not thread-safe (reuses decoders).
 */
public final class OutputRecords {

    static {
        // Copying a dead letter and reading JSON instantiate the generated classes, which Avro refuses untrusted;
        // a tool may get here before any Kafka deserializer has installed the trust.
        AvroTrust.trustFaceStreamSchemas();
    }

    private final AvroCodec.Decoder<FaceDetectionResult> results = new AvroCodec.Decoder<>(FaceDetectionResult.class);
    private final AvroCodec.Decoder<DeadLetter> deadLetters = new AvroCodec.Decoder<>(DeadLetter.class);

    /** A value of the output topic. */
    public FaceDetectionResult result(byte[] value) throws IOException {
        return results.decode(value);
    }

    /** A value of the dead-letter topic. */
    public DeadLetter deadLetter(byte[] value) throws IOException {
        return deadLetters.decode(value);
    }

    /** The result as one line of JSON: every field, as named in the schema. */
    public static String json(FaceDetectionResult result) {
        return AvroCodec.encodeJson(result);
    }

    /** One line of JSON without the original payload: the image stays out of readable logs; payloadSize still tells its size. */
    public static String json(DeadLetter deadLetter) {
        return AvroCodec.encodeJson(DeadLetter.newBuilder(deadLetter).setPayload(null).build());
    }

    /** A line of {@code detections.jsonl}, as {@link #json(FaceDetectionResult)} writes it. */
    public static FaceDetectionResult resultFromJson(String line) {
        return fromJson(line, FaceDetectionResult.class);
    }

    /** A line of {@code errors.jsonl}, as {@link #json(DeadLetter)} writes it. */
    public static DeadLetter deadLetterFromJson(String line) {
        return fromJson(line, DeadLetter.class);
    }

    private static <T extends SpecificRecord> T fromJson(String line, Class<T> type) {
        try {
            return AvroCodec.decodeJson(line, type);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + " in Avro's JSON encoding (" + e.getMessage()
                    + "): " + abbreviate(line), e);
        }
    }

    private static String abbreviate(String line) {
        return line.length() <= 120 ? line : line.substring(0, 117) + "...";
    }
}
