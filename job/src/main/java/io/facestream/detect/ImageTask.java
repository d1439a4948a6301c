package io.facestream.detect;

/**
 * An image handed to an {@link InferencePool}. Its methods run on the inference thread that takes
 * it, so {@link #encodedImage} may read the image from elsewhere without blocking the caller, and
 * exactly one of {@link #detected} and {@link #failed} is called for it (none for a task still
 * queued, before its deadline, when the pool closes). Those two must not throw: they run on the
 * inference thread. The one exception to the thread: a task the pool's full queue turns away is
 * failed at once, on the thread that handed it over.
 */
public interface ImageTask {

    /** The encoded image; an {@link ImageRejectedException} here fails the task with its reason. */
    byte[] encodedImage() throws Exception;

    /** The image's MIME type, or null to tell it from the bytes. */
    String contentType();

    /**
     * Past this, the pool fails the task with an {@link ImageSkippedException} instead of reading,
     * decoding and running it; checked when an inference thread takes it and when the queue is full.
     */
    default Deadline deadline() {
        return Deadline.NONE;
    }

    /**
     * @param startedNanos {@link System#nanoTime()} when an inference thread took the task
     */
    void detected(ImageDetections detections, long startedNanos);

    /**
     * The image could not be read, decoded or run through the model: an
     * {@link ImageRejectedException} for bad input or a model failure, an {@link ImageSkippedException}
     * for an image the pool did not run, else what {@link #encodedImage}, the decoder or the model
     * threw (an {@link Error} included: a native library that would not load).
     */
    void failed(Throwable failure, long startedNanos);
}
