package io.facestream.detect;

import io.facestream.avro.DeadLetterReason;

/** An image the detector cannot process, with the dead-letter reason and a message saying what to do. */
public final class ImageRejectedException extends Exception {

    private final DeadLetterReason reason;

    public ImageRejectedException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageRejectedException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public DeadLetterReason reason() {
        return reason;
    }
}
