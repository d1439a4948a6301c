package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.RejectReason;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.Test;

/** The async function's paths that need no model: timeouts, unparseable input, and how failures become dead letters. */
class FaceDetectionFunctionTest {

    private static final class CollectingFuture implements ResultFuture<DetectionOutcome> {
        final List<DetectionOutcome> outcomes = new ArrayList<>();
        Throwable error;

        @Override
        public void complete(Collection<DetectionOutcome> result) {
            outcomes.addAll(result);
        }

        @Override
        public void completeExceptionally(Throwable error) {
            this.error = error;
        }

        @Override
        public void complete(CollectionSupplier<DetectionOutcome> supplier) {
            try {
                outcomes.addAll(supplier.get());
            } catch (Exception e) {
                error = e;
            }
        }
    }

    private final FaceDetectionFunction function = new FaceDetectionFunction(
            FaceDetectionSettings.builder().timeout(Duration.ofMillis(1500)).build());

    @Test
    void aTimeoutBecomesADeadLetterInsteadOfFailingTheJob() {
        ImageEvent event = ImageEvent.newBuilder().setEventId("slow").setEventTime(Instant.now())
                .setImageBytes(ByteBuffer.wrap(new byte[] {1, 2})).build();
        CollectingFuture future = new CollectingFuture();
        function.timeout(SourcedImageEvent.parsed(event, null, null), future);
        assertThat(future.error).isNull();
        assertThat(future.outcomes).hasSize(1);
        DetectionOutcome outcome = future.outcomes.get(0);
        assertThat(outcome.result).isNull();
        assertThat(outcome.deadLetter.getReason()).isEqualTo(DeadLetterReason.TIMEOUT);
        assertThat(outcome.deadLetter.getEventId()).isEqualTo("slow");
        assertThat(outcome.deadLetter.getMessage()).contains("1500 ms");
    }

    @Test
    void unparseableInputIsAnsweredAtOnceWithItsReason() {
        CollectingFuture future = new CollectingFuture();
        function.asyncInvoke(SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT, "bad", null, "k", new byte[] {9}), future);
        assertThat(future.outcomes).hasSize(1);
        assertThat(future.outcomes.get(0).deadLetter.getReason()).isEqualTo(DeadLetterReason.MALFORMED_EVENT);
        assertThat(future.outcomes.get(0).deadLetter.getPayload().array()).containsExactly(9);
    }

    private static SourcedImageEvent event(String id) {
        return SourcedImageEvent.parsed(ImageEvent.newBuilder().setEventId(id).setEventTime(Instant.now())
                .setImageBytes(ByteBuffer.wrap(new byte[] {1, 2})).build(), null, null);
    }

    @Test
    void failuresBecomeTheDeadLettersTheyWereBefore() {
        DeadLetter eventLevel = function.failureOutcome(event("a"), new EventRejectedException(
                DeadLetterReason.IMAGE_URI_NOT_ALLOWED, "imageUri 'x' must be an absolute URI")).deadLetter;
        assertThat(eventLevel.getReason()).isEqualTo(DeadLetterReason.IMAGE_URI_NOT_ALLOWED);
        assertThat(eventLevel.getMessage()).isEqualTo("imageUri 'x' must be an absolute URI");

        DeadLetter imageLevel = function.failureOutcome(event("b"), new ImageRejectedException(
                RejectReason.BYTES_TOO_LARGE, "too many bytes")).deadLetter;
        assertThat(imageLevel.getReason()).isEqualTo(DeadLetterReason.PAYLOAD_TOO_LARGE);
        assertThat(imageLevel.getMessage()).isEqualTo("too many bytes");

        DeadLetter unexpected = function.failureOutcome(event("c"), new IllegalStateException("boom")).deadLetter;
        assertThat(unexpected.getReason()).isEqualTo(DeadLetterReason.INFERENCE_FAILED);
        assertThat(unexpected.getMessage()).isEqualTo("Detection failed unexpectedly: java.lang.IllegalStateException: boom. "
                + "The event is kept here; report it if valid images fail.");
        assertThat(unexpected.getEventId()).isEqualTo("c");
    }
}
