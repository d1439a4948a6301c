package io.facestream.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.FaceAnonymizer;
import io.facestream.detect.FaceImagesOptions;
import io.facestream.detect.FaceImagesSettings;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;

class AnonymizeFacesSettingsTest {

    private static AnonymizeFacesSettings fromConfig(Map<String, String> options) {
        return AnonymizeFacesSettings.fromConfig(Configuration.fromMap(options));
    }

    @Test
    void noOptionsGiveTheJobsDefaults() {
        AnonymizeFacesSettings settings = fromConfig(Map.of());
        assertThat(settings.detection().detector().scoreThreshold()).isEqualTo(0.5f);
        assertThat(settings.detection().timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(settings.images().style()).isEqualTo(FaceAnonymizer.Style.BLUR);
        assertThat(settings.images().margin()).isEqualTo(0.2);
        assertThat(settings.images().coverThreshold()).isEqualTo(0.3f);
        assertThat(settings.images().format()).isEqualTo(FaceImagesOptions.Format.JPEG);
        assertThat(settings.images().jpegQuality()).isEqualTo(95);
    }

    @Test
    void optionsAreNamedAfterTheJobsFlags() {
        AnonymizeFacesSettings settings = fromConfig(Map.of(
                "facestream.score-threshold", "0.7",
                "facestream.timeout", "5 s",
                "facestream.anonymize-style", "pixelate",
                "facestream.anonymize-margin", "0.5",
                "facestream.anonymize-threshold", "0.2",
                "facestream.anonymized-format", "png",
                "facestream.jpeg-quality", "80"));
        assertThat(settings.detection().detector().scoreThreshold()).isEqualTo(0.7f);
        assertThat(settings.detection().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(settings.images().style()).isEqualTo(FaceAnonymizer.Style.PIXELATE);
        assertThat(settings.images().margin()).isEqualTo(0.5);
        assertThat(settings.images().coverThreshold()).isEqualTo(0.2f);
        assertThat(settings.images().format()).isEqualTo(FaceImagesOptions.Format.PNG);
        assertThat(settings.images().jpegQuality()).isEqualTo(80);
    }

    @Test
    void theSettingsAlwaysAnonymizeAndMakeNoCrops() {
        assertThat(fromConfig(Map.of()).images().anonymize()).isTrue();
        AnonymizeFacesSettings given = new AnonymizeFacesSettings(DetectFacesSettings.defaults(),
                FaceImagesSettings.builder().crops(true).anonymize(false).build());
        assertThat(given.images().anonymize()).isTrue();
        assertThat(given.images().crops()).isFalse();
    }

    @Test
    void everyBadOptionOfTheDetectionAndOfTheImageIsNamedInOneMessage() {
        assertThatThrownBy(() -> fromConfig(Map.of(
                "facestream.score-threshold", "high",
                "facestream.anonymize-style", "smudge",
                "facestream.anonymize-margin", "3",
                "facestream.anonymize-threshold", "0",
                "facestream.anonymized-format", "gif",
                "facestream.jpeg-quality", "101")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Invalid FaceStream settings for anonymize_faces:")
                .hasMessageContaining("facestream.score-threshold 'high'")
                .hasMessageContaining("facestream.anonymize-style: ")
                .hasMessageContaining("facestream.anonymize-margin 3.0: must be between 0 and 2")
                .hasMessageContaining("facestream.anonymize-threshold 0.0: must be above 0 and at most 1")
                .hasMessageContaining("facestream.anonymized-format: ")
                .hasMessageContaining("facestream.jpeg-quality 101: must be 1 to 100")
                .hasMessageNotContaining("--")
                .hasMessageContaining("SET 'facestream.<option>'");
    }
}
