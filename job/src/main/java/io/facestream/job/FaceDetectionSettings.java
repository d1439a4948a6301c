package io.facestream.job;

import static io.facestream.job.JobOptions.CAPACITY;
import static io.facestream.job.JobOptions.DEAD_LETTER_PAYLOAD_LIMIT;
import static io.facestream.job.JobOptions.IMAGE_URI_ALLOW;
import static io.facestream.job.JobOptions.INFERENCE_THREADS;
import static io.facestream.job.JobOptions.TIMEOUT;

import io.facestream.config.OptionNames;
import io.facestream.config.OptionsBuilder;
import io.facestream.config.Problems;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceImagesSettings;
import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Settings of the detection stage: the detector's, plus how the async operator runs it; read from
 * the {@link JobOptions} of the stage and validated then.
 *
 * @param inferenceThreads inference threads per parallel subtask, each with its own predictor
 * @param timeout how long one image may take before it becomes a TIMEOUT dead letter
 * @param capacity images in flight per subtask (the async operator's capacity)
 * @param deadLetterPayloadLimit dead letters carry the original payload up to this many bytes, else only its size
 * @param imageReferences where events may point with imageUri; none by default
 * @param faceImages the images made from each image besides its result: aligned face crops, the anonymized image
 */
public record FaceDetectionSettings(DetectorSettings detector, int inferenceThreads, Duration timeout, int capacity,
                                    int deadLetterPayloadLimit, ImageReferences imageReferences,
                                    FaceImagesSettings faceImages) implements Serializable {

    public static FaceDetectionSettings defaults() {
        return builder().build();
    }

    /** These settings, making the face images {@code faceImages} asks for. */
    public FaceDetectionSettings withFaceImages(FaceImagesSettings faceImages) {
        return new FaceDetectionSettings(detector, inferenceThreads, timeout, capacity, deadLetterPayloadLimit,
                imageReferences, Objects.requireNonNull(faceImages));
    }

    /**
     * The settings {@code config} gives, the detector's and the face images' options included (making no
     * face images until {@link #withFaceImages} says which).
     *
     * @throws IllegalArgumentException naming every invalid option, as {@code names} spells it, and what to do
     */
    public static FaceDetectionSettings from(ReadableConfig config, OptionNames names) {
        Problems problems = new Problems(names);
        FaceDetectionSettings settings = from(config, problems, DetectorSettings.read(config, problems),
                FaceImagesSettings.read(config, problems));
        problems.throwIfAny("Invalid detection settings");
        return settings;
    }

    private static FaceDetectionSettings from(ReadableConfig config, Problems problems, DetectorSettings detector,
                                              FaceImagesSettings faceImages) {
        int inferenceThreads = inferenceThreads(config, problems);
        Duration timeout = timeout(config, problems);
        int capacity = problems.get(config, CAPACITY);
        if (capacity < 0) {
            problems.add(CAPACITY, capacity, "must be 0 (auto) or positive");
        }
        int deadLetterPayloadLimit = problems.get(config, DEAD_LETTER_PAYLOAD_LIMIT);
        if (deadLetterPayloadLimit < 0) {
            problems.add(DEAD_LETTER_PAYLOAD_LIMIT, deadLetterPayloadLimit, "must not be negative");
        }
        ImageReferences references = null;
        try {
            List<String> allowed = problems.get(config, IMAGE_URI_ALLOW);
            references = new ImageReferences(allowed == null ? List.of() : allowed);
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new FaceDetectionSettings(detector, inferenceThreads, timeout,
                capacity > 0 ? capacity : 2 * inferenceThreads, deadLetterPayloadLimit, references, faceImages);
    }

    /** {@link JobOptions#INFERENCE_THREADS} as {@code config} gives it, checked: the SQL function reads it so too. */
    public static int inferenceThreads(ReadableConfig config, Problems problems) {
        int inferenceThreads = problems.get(config, INFERENCE_THREADS);
        if (inferenceThreads < 1) {
            problems.add(INFERENCE_THREADS, inferenceThreads, "must be at least 1");
        }
        return inferenceThreads;
    }

    /** {@link JobOptions#TIMEOUT} as {@code config} gives it, checked: the SQL function reads it so too. */
    public static Duration timeout(ReadableConfig config, Problems problems) {
        Duration timeout = problems.get(config, TIMEOUT);
        if (timeout.isNegative() || timeout.isZero()) {
            problems.add(TIMEOUT, timeout, "must be positive");
        }
        return timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Settings in code: each call sets one of the stage's {@link JobOptions}, the detector's settings
     * come whole; {@link #build()} validates as {@link #from} does, naming the options as the command line does.
     */
    public static final class Builder extends OptionsBuilder<Builder> {
        private DetectorSettings detector = DetectorSettings.defaults();
        private FaceImagesSettings faceImages = FaceImagesSettings.none();

        public Builder detector(DetectorSettings detector) {
            this.detector = Objects.requireNonNull(detector);
            return this;
        }

        /** Crops and anonymized images; none by default. */
        public Builder faceImages(FaceImagesSettings faceImages) {
            this.faceImages = Objects.requireNonNull(faceImages);
            return this;
        }

        public Builder inferenceThreads(int inferenceThreads) {
            return set(INFERENCE_THREADS, inferenceThreads);
        }

        public Builder timeout(Duration timeout) {
            return set(TIMEOUT, Objects.requireNonNull(timeout));
        }

        /** 0 (the default) means twice the inference threads. */
        public Builder capacity(int capacity) {
            return set(CAPACITY, capacity);
        }

        public Builder deadLetterPayloadLimit(int deadLetterPayloadLimit) {
            return set(DEAD_LETTER_PAYLOAD_LIMIT, deadLetterPayloadLimit);
        }

        /** URI prefixes (file:///..., s3://bucket/...) under which events may reference images. */
        public Builder imageUriAllowList(List<String> locations) {
            return set(IMAGE_URI_ALLOW, List.copyOf(locations));
        }

        public FaceDetectionSettings build() {
            Problems problems = new Problems(OptionNames.FLAGS);
            FaceDetectionSettings settings = from(options, problems, detector, faceImages);
            problems.throwIfAny("Invalid detection settings");
            return settings;
        }
    }
}
