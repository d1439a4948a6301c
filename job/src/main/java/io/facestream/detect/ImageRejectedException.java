package io.facestream.detect;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** An image the detector gave no detections for: the reason, and a message that says what happened and what to do. */
public final class ImageRejectedException extends Exception {

    private final RejectReason reason;

    public ImageRejectedException(RejectReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public ImageRejectedException(RejectReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    private ImageRejectedException(RejectReason reason, String message, boolean writableStackTrace) {
        super(message, null, false, writableStackTrace);
        this.reason = reason;
    }

    /** An image the inference pool did not run; without a stack trace, as under overload these are made by the thousand. */
    static ImageRejectedException skipped(RejectReason reason, String message) {
        return new ImageRejectedException(reason, message, false);
    }

    public RejectReason reason() {
        return reason;
    }

    /**
     * The failure of a detection as a rejection: itself when the detector rejected the image, else
     * {@link RejectReason#FAILED_UNEXPECTEDLY} with the failure as its cause and in its message. A
     * front-end that reads images itself (a file, a URI) tells its own failures apart first.
     */
    public static ImageRejectedException classify(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ImageRejectedException rejected) {
            return rejected;
        }
        return new ImageRejectedException(RejectReason.FAILED_UNEXPECTEDLY, "Detection failed unexpectedly: " + cause, cause);
    }
}
