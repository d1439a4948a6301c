package io.facestream.output;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.schemas.AvroCodec;
import java.io.IOException;
import org.apache.avro.generic.GenericData;

/**
 * The job's output records as they lie on Kafka (results and dead letters, plain Avro binary
 * values), and as the JSON lines the tools print and write. Every tool reads them through here,
 * so another framing of the values is added in this one place. Not thread-safe (reuses decoders).
 */
public final class OutputRecords {

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

    /** One line of JSON with every field of the result, as named in the schema. */
    public static String json(FaceDetectionResult result) {
        return GenericData.get().toString(result);
    }

    /** One line of JSON without the original payload: the image stays out of readable logs; payloadSize still tells its size. */
    public static String json(DeadLetter deadLetter) {
        return GenericData.get().toString(DeadLetter.newBuilder(deadLetter).setPayload(null).build());
    }
}
