package io.facestream.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.facestream.detect.DetectorSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Wrong settings stop the job before it starts, with a message naming the problem and the fix. */
@Timeout(120)
class StartupChecksIT extends KafkaFlinkTestBase {

    @TempDir
    Path tmp;

    private static KafkaSettings.Builder kafka(String bootstrap, String input) {
        return KafkaSettings.builder().bootstrapServers(bootstrap).inputTopic(input)
                .outputTopic(input + "-out").deadLetterTopic(input + "-dlq");
    }

    @Test
    void unreachableBrokersAreNamed() {
        assertThatThrownBy(() -> StartupChecks.checkKafka(kafka("127.0.0.1:1", "images").build(), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Kafka at --bootstrap-servers 127.0.0.1:1 did not answer")
                .hasMessageContaining("Check the address");
    }

    @Test
    void missingTopicsAreNamedAndExistingOnesPass() {
        String input = uniqueTopic("startup");
        broker().createTopics(1, input, input + "-out");
        assertThatThrownBy(() -> StartupChecks.checkKafka(kafka(broker().bootstrapServers(), input).build()))
                .hasMessageContaining("[" + input + "-dlq] do not exist")
                .hasMessageContaining("kafka-topics.sh --create");
        broker().createTopics(1, input + "-dlq");
        StartupChecks.checkKafka(kafka(broker().bootstrapServers(), input).build());
        assertThatThrownBy(() -> StartupChecks.checkKafka(kafka(broker().bootstrapServers(), input)
                .cropsTopic(input + "-crops").anonymizedTopic(input + "-anonymized").build()))
                .hasMessageContaining("[" + input + "-crops, " + input + "-anonymized] do not exist")
                .hasMessageContaining("--crops-topic and --anonymized-topic");
    }

    @Test
    void aCorruptModelFileIsRefused() throws Exception {
        byte[] garbage = new byte[4096];
        new Random(5).nextBytes(garbage);
        Path model = Files.write(tmp.resolve("broken.onnx"), garbage);
        assertThatThrownBy(() -> StartupChecks.checkModel(DetectorSettings.builder().modelPath(model).build()))
                .hasMessageContaining("--model " + model)
                .hasMessageContaining("cannot be used");
    }

    @Test
    void aModelOfAnotherLayoutIsRefusedWithTheOutputsItHas() throws Exception {
        Path model = Path.of(System.getProperty("facestream.testModels", "target/test-models")).resolve("mnet.25_v1.onnx");
        assertThatThrownBy(() -> StartupChecks.checkModel(
                DetectorSettings.builder().modelPath(model).modelType("biubug6-resnet50").build()))
                .hasMessageContaining("no output 'loc'")
                .hasMessageContaining("face_rpn_bbox_pred_stride32");
        StartupChecks.checkModel(DetectorSettings.builder().modelPath(model).modelType("insightface-mnet025-v1").build());
        assertThat(DetectorSettings.defaults().modelPath()).isNull();
        StartupChecks.checkModel(DetectorSettings.defaults());
    }
}
