package io.facestream.sql;

import io.facestream.config.Problems;
import io.facestream.detect.FaceImagesSettings;
import java.io.Serializable;
import java.util.Objects;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Settings of {@link AnonymizeFaces}: those of the detection, as {@code detect_faces} reads them
 * ({@link DetectFacesSettings}), and how the faces are covered and the image encoded
 * ({@link DetectFacesSettings#ANONYMIZED_IMAGE_OPTIONS}: {@code facestream.anonymize-style},
 * {@code -margin}, {@code -threshold}, {@code facestream.anonymized-format}, {@code facestream.jpeg-quality}).
 *
 * @param images made with the anonymized image and nothing else, whatever the given settings ask for
 */
public record AnonymizeFacesSettings(DetectFacesSettings detection, FaceImagesSettings images) implements Serializable {

    public AnonymizeFacesSettings {
        Objects.requireNonNull(detection);
        images = images.withOutputs(false, true);
    }

    public static AnonymizeFacesSettings defaults() {
        return new AnonymizeFacesSettings(DetectFacesSettings.defaults(), FaceImagesSettings.none());
    }

    /**
     * The settings the {@code facestream.*} options in {@code config} give.
     *
     * @throws IllegalArgumentException naming every invalid option and what to do
     */
    public static AnonymizeFacesSettings fromConfig(ReadableConfig config) {
        Problems problems = DetectFacesSettings.problems();
        DetectFacesSettings detection = DetectFacesSettings.read(config, problems);
        FaceImagesSettings images = FaceImagesSettings.read(DetectFacesSettings.options(config), problems);
        DetectFacesSettings.throwIfAny(problems, AnonymizeFaces.NAME);
        return new AnonymizeFacesSettings(detection, images);
    }
}
