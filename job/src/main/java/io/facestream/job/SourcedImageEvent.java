package io.facestream.job;

import io.facestream.schemas.AvroTrust;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.avro.SourceCoordinates;

/**
 * An image event as it enters the detection stage: the parsed event, or, when the input record
 * could not even be parsed, the reason and the raw bytes for the dead letter. A Flink POJO.
 */
public class SourcedImageEvent {

    static {
        AvroTrust.trustFaceStreamSchemas();
    }

    /** The parsed event; null when parsing failed. */
    public ImageEvent event;
    /** Kafka coordinates, or null when the event did not come from Kafka. */
    public SourceCoordinates source;
    /** The record value as received, when it is not the Avro encoding of {@link #event} (raw mode, parse failures). */
    public byte[] rawPayload;
    /** Why parsing failed; null when it did not. */
    public DeadLetterReason parseFailure;
    public String parseFailureMessage;
    /** The record key decoded as UTF-8: the dead letter's id when the event has none of its own. */
    public String recordKey;
    /** Raw mode: the record value was the image itself, so a dead letter carries the image bytes. */
    public boolean valueIsImage;
    /** With tracking on: the event's source (camera, stream), from its key or a metadata field; null when it has none. */
    public String streamSource;

    public SourcedImageEvent() {}

    public static SourcedImageEvent parsed(ImageEvent event, SourceCoordinates source, byte[] rawPayload) {
        SourcedImageEvent sourced = new SourcedImageEvent();
        sourced.event = event;
        sourced.source = source;
        sourced.rawPayload = rawPayload;
        return sourced;
    }

    public static SourcedImageEvent unparseable(DeadLetterReason reason, String message, SourceCoordinates source,
                                                String recordKey, byte[] rawPayload) {
        SourcedImageEvent sourced = new SourcedImageEvent();
        sourced.parseFailure = reason;
        sourced.parseFailureMessage = message;
        sourced.source = source;
        sourced.recordKey = recordKey;
        sourced.rawPayload = rawPayload;
        return sourced;
    }

    public boolean isParsed() {
        return parseFailure == null;
    }

    /** The event id when known: the event's, else the record key. */
    public String eventIdOrNull() {
        if (event != null && event.getEventId() != null && !event.getEventId().isEmpty()) {
            return event.getEventId();
        }
        return recordKey;
    }
}
