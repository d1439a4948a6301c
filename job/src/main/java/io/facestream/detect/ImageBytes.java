package io.facestream.detect;

/**
 * The encoded image of a submitted detection, read on the inference thread that takes it, so that
 * reading it from elsewhere (a file, a URI) never blocks the caller, and an image whose deadline
 * passed is never read.
 */
@FunctionalInterface
public interface ImageBytes {

    /** The encoded image; what this throws fails the detection as it was thrown. */
    byte[] read() throws Exception;
}
