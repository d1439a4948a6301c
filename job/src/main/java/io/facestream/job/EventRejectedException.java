package io.facestream.job;

import io.facestream.avro.DeadLetterReason;

/**
 * An event the job turns away before its image reaches the detector: no id, no image, an imageUri
 * that is not allowed or cannot be read. It becomes a dead letter with this reason and message.
 */
public final class EventRejectedException extends Exception {

    private final DeadLetterReason reason;

    public EventRejectedException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public EventRejectedException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
