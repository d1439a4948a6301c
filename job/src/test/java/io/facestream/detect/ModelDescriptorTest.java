package io.facestream.detect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDescriptorTest {

    @TempDir
    Path tmp;

    @Test
    void everyPresetIsValidAndDescribesItsFamily() {
        for (String name : ModelDescriptor.PRESETS) {
            ModelDescriptor model = ModelDescriptor.preset(name);
            assertThat(model.name).isEqualTo(name);
            assertThat(model.problems()).as(name).isEmpty();
        }
        ModelDescriptor v1 = ModelDescriptor.preset("insightface-mnet025-v1");
        assertThat(v1.defaultSize).isEqualTo("letterbox:512");
        assertThat(v1.landmarkScale).isEqualTo(1f);
        ModelDescriptor resnet = ModelDescriptor.preset("biubug6-resnet50");
        assertThat(resnet.channelOrder).isEqualTo(ModelDescriptor.ChannelOrder.BGR);
        assertThat(resnet.mean).containsExactly(104, 117, 123);
        assertThat(resnet.priors.minSizes).isDeepEqualTo(new float[][] {{16, 32}, {64, 128}, {256, 512}});
        assertThat(resnet.scoreThreshold).isEqualTo(0.9f);
        assertThat(resnet.preNmsTopK).isEqualTo(5000);
        assertThat(resnet.postNmsTopK).isEqualTo(750);
        assertThat(ModelDescriptor.preset("biubug6-1mb-mnet025").priors.minSizes)
                .isDeepEqualTo(new float[][] {{10, 20}, {32, 64}, {128, 256}});
    }

    @Test
    void aCustomDescriptionFileIsReadAndChecked() throws Exception {
        Path good = tmp.resolve("good.json");
        Files.writeString(good, Files.readString(Path.of(ModelDescriptor.class
                .getResource("/facestream/models/presets/biubug6-resnet50.json").toURI())).replace("biubug6-resnet50", "my-export"));
        assertThat(ModelDescriptor.fromFile(good).name).isEqualTo("my-export");

        Path bad = tmp.resolve("bad.json");
        Files.writeString(bad, "{\"name\": \"x\", \"layout\": \"BIUBUG6\", \"channelOrder\": \"BGR\", \"nmsThreshold\": 0.4}");
        assertThatThrownBy(() -> ModelDescriptor.fromFile(bad))
                .hasMessageContaining("a BIUBUG6 model needs priors");
    }

    @Test
    void unknownTypesAndMissingFilesAreNamed() {
        assertThatThrownBy(() -> DetectorSettings.builder().modelType("yolo").build())
                .hasMessageContaining("model-type yolo: unknown");
        assertThatThrownBy(() -> DetectorSettings.builder().modelType("biubug6-resnet50").build())
                .hasMessageContaining("model is needed with model type biubug6-resnet50");
    }
}
