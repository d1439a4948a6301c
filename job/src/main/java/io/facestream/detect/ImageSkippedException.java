package io.facestream.detect;

/**
 * An image an {@link InferencePool} did not run: its deadline passed while it waited, or the
 * pool's queue was full when it was handed over. Either way it is answered as timed out.
 */
public final class ImageSkippedException extends Exception {

    public enum Why {
        /** The deadline passed before an inference thread took the image: it was neither read nor decoded. */
        EXPIRED,
        /** The queue held as many images as the pool's capacity, none of them expired. */
        OVERLOADED
    }

    private final Why why;

    ImageSkippedException(Why why, String message) {
        // No stack trace: under overload these are made by the thousand and say all in their message.
        super(message, null, false, false);
        this.why = why;
    }

    public Why why() {
        return why;
    }
}
