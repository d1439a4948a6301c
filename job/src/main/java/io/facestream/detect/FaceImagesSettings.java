package io.facestream.detect;

import static io.facestream.detect.FaceImagesOptions.ANONYMIZED_FORMAT;
import static io.facestream.detect.FaceImagesOptions.ANONYMIZE_MARGIN;
import static io.facestream.detect.FaceImagesOptions.ANONYMIZE_STYLE;
import static io.facestream.detect.FaceImagesOptions.ANONYMIZE_THRESHOLD;
import static io.facestream.detect.FaceImagesOptions.CROP_MIN_SCORE;
import static io.facestream.detect.FaceImagesOptions.CROP_SIZE;
import static io.facestream.detect.FaceImagesOptions.JPEG_QUALITY;

import io.facestream.config.OptionNames;
import io.facestream.config.OptionsBuilder;
import io.facestream.config.Problems;
import java.io.Serializable;
import org.apache.flink.configuration.ReadableConfig;

/**
 * What images a detection also makes, read from the {@link FaceImagesOptions} and validated then.
 *
 * @param crops        whether each face is cut out aligned ({@link FaceAligner})
 * @param anonymize    whether the image is encoded anew with every face covered ({@link FaceAnonymizer})
 * @param cropSize     side of a crop in pixels
 * @param cropMinScore faces scoring below this get no crop
 * @param style        how faces are covered
 * @param margin       how far a covered box grows each side, as a share of the face's box
 * @param coverThreshold faces scoring at least this are covered, also below the detector's score threshold
 * @param format       the anonymized image's encoding
 * @param jpegQuality  quality of crops and anonymized JPEGs
 * @param maxEncodedBytes the most bytes an encoded crop or anonymized image may have, for an output that
 *                     takes no more (a Kafka record's limit): a larger anonymized JPEG is encoded again at
 *                     lower qualities, down to {@value #LOWEST_FALLBACK_QUALITY}; a crop or image that still
 *                     does not fit is not made
 */
public record FaceImagesSettings(boolean crops, boolean anonymize, int cropSize, float cropMinScore,
                                 FaceAnonymizer.Style style, double margin, float coverThreshold,
                                 FaceImagesOptions.Format format, int jpegQuality, long maxEncodedBytes) implements Serializable {

    /** The lowest JPEG quality an anonymized image is encoded at to fit {@link #maxEncodedBytes}. */
    public static final int LOWEST_FALLBACK_QUALITY = 50;

    /** Neither crops nor anonymized images; the options at their defaults. */
    public static FaceImagesSettings none() {
        return builder().build();
    }

    public boolean any() {
        return crops || anonymize;
    }

    /** These settings, making crops and anonymized images as said. */
    public FaceImagesSettings withOutputs(boolean crops, boolean anonymize) {
        return new FaceImagesSettings(crops, anonymize, cropSize, cropMinScore, style, margin, coverThreshold, format,
                jpegQuality, maxEncodedBytes);
    }

    /** These settings, with encoded crops and anonymized images of at most {@code maxEncodedBytes}. */
    public FaceImagesSettings withMaxEncodedBytes(long maxEncodedBytes) {
        if (maxEncodedBytes < 1) {
            throw new IllegalArgumentException("the most bytes of an encoded image must be positive, not " + maxEncodedBytes);
        }
        return new FaceImagesSettings(crops, anonymize, cropSize, cropMinScore, style, margin, coverThreshold, format,
                jpegQuality, maxEncodedBytes);
    }

    /**
     * The options in {@code config}, making neither crops nor anonymized images until {@link #withOutputs} says so.
     *
     * @throws IllegalArgumentException naming every invalid option, as {@code names} spells it, and what to do
     */
    public static FaceImagesSettings from(ReadableConfig config, OptionNames names) {
        Problems problems = new Problems(names);
        FaceImagesSettings settings = read(config, problems);
        problems.throwIfAny("Invalid face image settings");
        return settings;
    }

    /** The settings {@code config} gives, adding what is wrong to {@code problems} (then null). */
    public static FaceImagesSettings read(ReadableConfig config, Problems problems) {
        int cropSize = problems.get(config, CROP_SIZE);
        if (cropSize < 1 || cropSize > FaceAligner.MAX_SIZE) {
            problems.add(CROP_SIZE, cropSize, "must be 1 to " + FaceAligner.MAX_SIZE + " pixels");
        }
        float cropMinScore = problems.get(config, CROP_MIN_SCORE);
        if (!(cropMinScore >= 0 && cropMinScore <= 1)) {
            problems.add(CROP_MIN_SCORE, cropMinScore, "must be between 0 and 1");
        }
        FaceAnonymizer.Style style = problems.get(config, ANONYMIZE_STYLE);
        double margin = problems.get(config, ANONYMIZE_MARGIN);
        if (!(margin >= 0 && margin <= 2)) {
            problems.add(ANONYMIZE_MARGIN, margin, "must be between 0 and 2 (a share of the face's box, 0.2 = 20 %)");
        }
        float coverThreshold = problems.get(config, ANONYMIZE_THRESHOLD);
        if (!(coverThreshold > 0 && coverThreshold <= 1)) {
            problems.add(ANONYMIZE_THRESHOLD, coverThreshold, "must be above 0 and at most 1");
        }
        FaceImagesOptions.Format format = problems.get(config, ANONYMIZED_FORMAT);
        int jpegQuality = problems.get(config, JPEG_QUALITY);
        if (jpegQuality < 1 || jpegQuality > 100) {
            problems.add(JPEG_QUALITY, jpegQuality, "must be 1 to 100");
        }
        if (!problems.isEmpty()) {
            return null;
        }
        return new FaceImagesSettings(false, false, cropSize, cropMinScore, style, margin, coverThreshold, format, jpegQuality,
                Long.MAX_VALUE);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings in code: each call sets one {@link FaceImagesOptions} option; {@link #build()} validates as {@link #from} does. */
    public static final class Builder extends OptionsBuilder<Builder> {
        private boolean crops;
        private boolean anonymize;

        public Builder crops(boolean crops) {
            this.crops = crops;
            return this;
        }

        public Builder anonymize(boolean anonymize) {
            this.anonymize = anonymize;
            return this;
        }

        public Builder cropSize(int cropSize) {
            return set(CROP_SIZE, cropSize);
        }

        public Builder cropMinScore(float cropMinScore) {
            return set(CROP_MIN_SCORE, cropMinScore);
        }

        public Builder style(FaceAnonymizer.Style style) {
            return set(ANONYMIZE_STYLE, style);
        }

        public Builder margin(double margin) {
            return set(ANONYMIZE_MARGIN, margin);
        }

        public Builder coverThreshold(float coverThreshold) {
            return set(ANONYMIZE_THRESHOLD, coverThreshold);
        }

        public Builder format(FaceImagesOptions.Format format) {
            return set(ANONYMIZED_FORMAT, format);
        }

        public Builder jpegQuality(int jpegQuality) {
            return set(JPEG_QUALITY, jpegQuality);
        }

        public FaceImagesSettings build() {
            Problems problems = new Problems(OptionNames.FLAGS);
            FaceImagesSettings settings = read(options, problems);
            problems.throwIfAny("Invalid face image settings");
            return settings.withOutputs(crops, anonymize);
        }
    }
}
