package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ImageEvent;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.junit.jupiter.api.Test;

/** The async function's paths that need no model: timeouts and unparseable input. */
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
}
