package io.facestream.job;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.schemas.AvroCodec;
import java.nio.ByteBuffer;
import java.time.Instant;

/** Builds dead letters that carry the original payload, or only its size when it is over the limit. */
public final class DeadLetters {

    private DeadLetters() {}

    public static DeadLetter of(SourcedImageEvent in, DeadLetterReason reason, String message, int payloadLimit) {
        byte[] payload = originalPayload(in);
        long size = payload == null ? 0 : payload.length;
        return DeadLetter.newBuilder()
                .setEventId(in.eventIdOrNull())
                .setSource(in.source)
                .setReason(reason)
                .setMessage(message)
                .setPayload(payload != null && payload.length <= payloadLimit ? ByteBuffer.wrap(payload) : null)
                .setPayloadSize(size)
                .setFailedAt(Instant.now())
                .build();
    }

    /** A dead letter of an image that did not come from Kafka and is kept elsewhere (a file): no source, no payload. */
    public static DeadLetter withoutPayload(String eventId, DeadLetterReason reason, String message, long payloadSize) {
        return DeadLetter.newBuilder()
                .setEventId(eventId)
                .setReason(reason)
                .setMessage(message)
                .setPayloadSize(payloadSize)
                .setFailedAt(Instant.now())
                .build();
    }

    /** The record value as it arrived: raw bytes, the image (raw mode), or the event re-encoded. */
    static byte[] originalPayload(SourcedImageEvent in) {
        if (in.rawPayload != null) {
            return in.rawPayload;
        }
        if (in.event == null) {
            return null;
        }
        if (in.valueIsImage) {
            return bytes(in.event.getImageBytes());
        }
        return AvroCodec.encode(in.event);
    }

    /**
     * The buffer's bytes, without a copy when the buffer spans a whole array, as Avro's decoder,
     * its deep copy and raw mode's record value make them: the 1080p image would otherwise be
     * copied once more per event, and nothing downstream writes to it.
     */
    static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return null;
        }
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.limit() == buffer.array().length) {
            return buffer.array();
        }
        ByteBuffer view = buffer.duplicate();
        byte[] bytes = new byte[view.remaining()];
        view.get(bytes);
        return bytes;
    }

}
