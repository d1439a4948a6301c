package io.facestream.detect;

/**
 * An image handed to an {@link InferencePool}. Its methods run on the inference thread that takes
 * it, so {@link #encodedImage} may read the image from elsewhere without blocking the caller, and
 * exactly one of {@link #detected} and {@link #failed} is called for it. Those two must not throw:
 * the other images of a batch are completed after them on the same thread.
 */
public interface ImageTask {

    /** The encoded image; an {@link ImageRejectedException} here fails the task with its reason. */
    byte[] encodedImage() throws Exception;

    /** The image's MIME type, or null to tell it from the bytes. */
    String contentType();

    /**
     * @param startedNanos {@link System#nanoTime()} when an inference thread took the task
     */
    void detected(ImageDetections detections, long startedNanos);

    /**
     * The image could not be read, decoded or run through the model: an
     * {@link ImageRejectedException} for bad input or a model failure, else what {@link #encodedImage}
     * or the decoder threw (a {@link LinkageError} included: a native library that would not load).
     */
    void failed(Throwable failure, long startedNanos);
}
