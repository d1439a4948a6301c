package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetterReason;
import io.facestream.detect.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeadLetterReasonsTest {

    /** The dead-letter reason each rejection had before the detector got its own reasons. */
    private static final Map<RejectReason, DeadLetterReason> BEFORE = new EnumMap<>(Map.of(
            RejectReason.EMPTY_IMAGE, DeadLetterReason.EMPTY_PAYLOAD,
            RejectReason.BYTES_TOO_LARGE, DeadLetterReason.PAYLOAD_TOO_LARGE,
            RejectReason.UNSUPPORTED_CONTENT_TYPE, DeadLetterReason.UNSUPPORTED_CONTENT_TYPE,
            RejectReason.UNSUPPORTED_FORMAT, DeadLetterReason.UNSUPPORTED_FORMAT,
            RejectReason.CORRUPT_IMAGE, DeadLetterReason.CORRUPT_IMAGE,
            RejectReason.IMAGE_TOO_LARGE, DeadLetterReason.IMAGE_TOO_LARGE,
            RejectReason.INFERENCE_FAILED, DeadLetterReason.INFERENCE_FAILED,
            RejectReason.FAILED_UNEXPECTEDLY, DeadLetterReason.INFERENCE_FAILED,
            RejectReason.EXPIRED, DeadLetterReason.TIMEOUT,
            RejectReason.OVERLOADED, DeadLetterReason.TIMEOUT));

    @Test
    void everyRejectReasonMapsToTheDeadLetterReasonItHadBefore() {
        assertThat(BEFORE).containsOnlyKeys(RejectReason.values());
        for (RejectReason reason : RejectReason.values()) {
            assertThat(DeadLetterReasons.of(reason)).as(reason.name()).isEqualTo(BEFORE.get(reason));
        }
    }
}
