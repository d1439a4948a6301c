package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ImageRejectedExceptionTest {

    @Test
    void aRejectionIsClassifiedAsItselfAlsoInsideACompletionException() {
        ImageRejectedException corrupt = new ImageRejectedException(RejectReason.CORRUPT_IMAGE, "damaged");
        assertThat(ImageRejectedException.classify(corrupt)).isSameAs(corrupt);
        assertThat(ImageRejectedException.classify(new CompletionException(corrupt))).isSameAs(corrupt);
    }

    @Test
    void anythingElseFailedUnexpectedlyAndSaysWhat() {
        IllegalStateException bug = new IllegalStateException("boom");
        ImageRejectedException rejected = ImageRejectedException.classify(new CompletionException(bug));
        assertThat(rejected.reason()).isEqualTo(RejectReason.FAILED_UNEXPECTEDLY);
        assertThat(rejected.getMessage()).isEqualTo("Detection failed unexpectedly: java.lang.IllegalStateException: boom");
        assertThat(rejected.getCause()).isSameAs(bug);
        assertThat(ImageRejectedException.classify(new UnsatisfiedLinkError("no opencv")).reason())
                .isEqualTo(RejectReason.FAILED_UNEXPECTEDLY);
    }

    @Test
    void onlyImagesThePoolDidNotRunAreSkipped() {
        for (RejectReason reason : RejectReason.values()) {
            assertThat(reason.skipped()).as(reason.name())
                    .isEqualTo(reason == RejectReason.EXPIRED || reason == RejectReason.OVERLOADED);
        }
    }
}
