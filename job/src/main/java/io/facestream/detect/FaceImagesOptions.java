package io.facestream.detect;

import static org.apache.flink.configuration.ConfigOptions.key;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;

/**
 * Options of the images made from each detected image, declared once: aligned face crops and the
 * anonymized image. Whether either is made is up to the front end (an output topic or folder for it).
 */
public final class FaceImagesOptions {

    private FaceImagesOptions() {}

    /** The encodings of an anonymized image. */
    public enum Format {
        JPEG("image/jpeg", "jpg"),
        PNG("image/png", "png");

        public final String contentType;
        public final String extension;

        Format(String contentType, String extension) {
            this.contentType = contentType;
            this.extension = extension;
        }
    }

    public static final ConfigOption<Integer> CROP_SIZE = key("crop-size").intType().defaultValue(FaceAligner.TEMPLATE_SIZE)
            .withDescription("Side of the aligned face crops in pixels: the ArcFace 112x112 template, scaled to this size.");

    public static final ConfigOption<Float> CROP_MIN_SCORE = key("crop-min-score").floatType().defaultValue(0f)
            .withDescription("Faces scoring below this (0..1) get no crop. Default 0: every face in the results has one.");

    public static final ConfigOption<FaceAnonymizer.Style> ANONYMIZE_STYLE = key("anonymize-style")
            .enumType(FaceAnonymizer.Style.class).defaultValue(FaceAnonymizer.Style.BLUR)
            .withDescription("How a face is covered in anonymized images: blur, pixelate or fill (black).");

    public static final ConfigOption<Double> ANONYMIZE_MARGIN = key("anonymize-margin").doubleType().defaultValue(0.2)
            .withDescription("Each side of a face's box moves out by this share of the box's width (left, right) or height "
                    + "(top, bottom) before it is covered, so that hair, ears and chin go too (0..2).");

    public static final ConfigOption<Float> ANONYMIZE_THRESHOLD = key("anonymize-threshold").floatType().defaultValue(0.3f)
            .withDescription("Anonymized images also cover faces scoring at least this (0..1) that are below the score "
                    + "threshold, so a face the detector is unsure of is covered, not left (fail closed). Faces in the "
                    + "results are always covered.");

    public static final ConfigOption<Format> ANONYMIZED_FORMAT = key("anonymized-format").enumType(Format.class)
            .defaultValue(Format.JPEG)
            .withDescription("Encoding of anonymized images: jpeg, or png (lossless: pixels outside the covered boxes stay exact).");

    public static final ConfigOption<Integer> JPEG_QUALITY = key("jpeg-quality").intType().defaultValue(95)
            .withDescription("JPEG quality (1..100) of face crops and anonymized JPEG images.");

    /** Every option of the face images. */
    public static final List<ConfigOption<?>> ALL = List.of(CROP_SIZE, CROP_MIN_SCORE, ANONYMIZE_STYLE, ANONYMIZE_MARGIN,
            ANONYMIZE_THRESHOLD, ANONYMIZED_FORMAT, JPEG_QUALITY);
}
