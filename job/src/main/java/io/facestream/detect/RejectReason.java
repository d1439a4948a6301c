package io.facestream.detect;

/**
 * Why the detector gave no detections for an image. The front-ends turn it into their own
 * vocabulary (the job's dead-letter reasons, the SQL function's error rows, the detect command's
 * error file).
 */
public enum RejectReason {
    /** The image has no bytes. */
    EMPTY_IMAGE,
    /** The encoded image is over the byte limit. */
    BYTES_TOO_LARGE,
    /** The declared content type is not an image type. */
    UNSUPPORTED_CONTENT_TYPE,
    /** The bytes are in no image format the decoder reads. */
    UNSUPPORTED_FORMAT,
    /** The bytes look like an image but do not decode (damaged, truncated). */
    CORRUPT_IMAGE,
    /** The image has more pixels than the limit, or than the decoder handles. */
    IMAGE_TOO_LARGE,
    /** The model failed on this image. */
    INFERENCE_FAILED,
    /** Anything else: a failure the detector did not expect (a bug, a native library that would not load). */
    FAILED_UNEXPECTEDLY,
    /** Not run: the image's deadline passed while it waited for an inference thread. */
    EXPIRED,
    /** Not run: the inference pool's queue was full, none of its images past its deadline. */
    OVERLOADED;

    /** Whether the image was turned away without being read, decoded or run. */
    public boolean skipped() {
        return this == EXPIRED || this == OVERLOADED;
    }
}
