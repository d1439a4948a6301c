package io.facestream.job;

import io.facestream.detect.DetectorSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Settings of the detection stage: the detector's, plus how the async operator runs it.
 * Validated when built.
 */
public final class FaceDetectionSettings implements Serializable {

    private static final long serialVersionUID = 1L;

    public static final int DEFAULT_INFERENCE_THREADS = 1;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final int DEFAULT_DEAD_LETTER_PAYLOAD_LIMIT = 900 * 1024;

    private final DetectorSettings detector;
    private final int inferenceThreads;
    private final long timeoutMillis;
    private final int capacity;
    private final int deadLetterPayloadLimit;
    private final ImageReferences imageReferences;

    private FaceDetectionSettings(Builder b, ImageReferences imageReferences) {
        this.detector = b.detector;
        this.inferenceThreads = b.inferenceThreads;
        this.timeoutMillis = b.timeout.toMillis();
        this.capacity = b.capacity > 0 ? b.capacity : 2 * b.inferenceThreads;
        this.deadLetterPayloadLimit = b.deadLetterPayloadLimit;
        this.imageReferences = imageReferences;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static FaceDetectionSettings defaults() {
        return builder().build();
    }

    public DetectorSettings detector() {
        return detector;
    }

    /** Inference threads per parallel subtask, each with its own predictor. */
    public int inferenceThreads() {
        return inferenceThreads;
    }

    /** How long one image may take before it becomes a TIMEOUT dead letter. */
    public Duration timeout() {
        return Duration.ofMillis(timeoutMillis);
    }

    /** Images in flight per subtask (the async operator's capacity). */
    public int capacity() {
        return capacity;
    }

    /** Dead letters carry the original payload up to this many bytes, else only its size. */
    public int deadLetterPayloadLimit() {
        return deadLetterPayloadLimit;
    }

    /** Where events may point with imageUri; none by default. */
    public ImageReferences imageReferences() {
        return imageReferences;
    }

    public static final class Builder {
        private DetectorSettings detector = DetectorSettings.defaults();
        private int inferenceThreads = DEFAULT_INFERENCE_THREADS;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int capacity;
        private int deadLetterPayloadLimit = DEFAULT_DEAD_LETTER_PAYLOAD_LIMIT;
        private List<String> imageUriAllowList = List.of();

        public Builder detector(DetectorSettings detector) {
            this.detector = Objects.requireNonNull(detector);
            return this;
        }

        public Builder inferenceThreads(int inferenceThreads) {
            this.inferenceThreads = inferenceThreads;
            return this;
        }

        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout);
            return this;
        }

        /** 0 (the default) means twice the inference threads. */
        public Builder capacity(int capacity) {
            this.capacity = capacity;
            return this;
        }

        public Builder deadLetterPayloadLimit(int deadLetterPayloadLimit) {
            this.deadLetterPayloadLimit = deadLetterPayloadLimit;
            return this;
        }

        /** URI prefixes (file:///..., s3://bucket/...) under which events may reference images. */
        public Builder imageUriAllowList(List<String> locations) {
            this.imageUriAllowList = List.copyOf(locations);
            return this;
        }

        public FaceDetectionSettings build() {
            List<String> problems = new ArrayList<>();
            if (inferenceThreads < 1) {
                problems.add("--inference-threads " + inferenceThreads + ": must be at least 1");
            }
            if (timeout.isNegative() || timeout.isZero()) {
                problems.add("--timeout " + timeout + ": must be positive");
            }
            if (capacity < 0) {
                problems.add("--capacity " + capacity + ": must be 0 (auto) or positive");
            }
            if (deadLetterPayloadLimit < 0) {
                problems.add("--dead-letter-payload-limit " + deadLetterPayloadLimit + ": must not be negative");
            }
            ImageReferences references = null;
            try {
                references = new ImageReferences(imageUriAllowList);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
            if (!problems.isEmpty()) {
                throw new IllegalArgumentException("Invalid detection settings:\n  " + String.join("\n  ", problems));
            }
            return new FaceDetectionSettings(this, references);
        }
    }
}
