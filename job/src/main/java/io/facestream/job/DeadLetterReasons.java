package io.facestream.job;

import io.facestream.avro.DeadLetterReason;
import io.facestream.detect.RejectReason;

/**
 * The detector's reasons in the wire vocabulary: the dead letters' {@code reason}, and the same
 * names in the SQL function's {@code errorReason} and the detect command's {@code errors.jsonl}.
 */
public final class DeadLetterReasons {

    private DeadLetterReasons() {}

    public static DeadLetterReason of(RejectReason reason) {
        return switch (reason) {
            case EMPTY_IMAGE -> DeadLetterReason.EMPTY_PAYLOAD;
            case BYTES_TOO_LARGE -> DeadLetterReason.PAYLOAD_TOO_LARGE;
            case UNSUPPORTED_CONTENT_TYPE -> DeadLetterReason.UNSUPPORTED_CONTENT_TYPE;
            case UNSUPPORTED_FORMAT -> DeadLetterReason.UNSUPPORTED_FORMAT;
            case CORRUPT_IMAGE -> DeadLetterReason.CORRUPT_IMAGE;
            case IMAGE_TOO_LARGE -> DeadLetterReason.IMAGE_TOO_LARGE;
            case INFERENCE_FAILED, FAILED_UNEXPECTEDLY -> DeadLetterReason.INFERENCE_FAILED;
            // A caller's timeout: the image was not run in time, whether it expired or was turned away.
            case EXPIRED, OVERLOADED -> DeadLetterReason.TIMEOUT;
        };
    }
}
