package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --kafka-config, on the command line and in a --config file, for the job and every tool that talks to Kafka. */
class KafkaConfigFlagTest {

    @Test
    void anUnreadableFileStopsTheJobWithExitCode2(@TempDir Path tmp) {
        String missing = tmp.resolve("absent.properties").toString();
        CliRun run = CliRun.of("job", "--bootstrap-servers", "127.0.0.1:1", "--kafka-config", missing);
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--kafka-config " + missing + " cannot be read").contains("Kafka client properties file")
                .doesNotContain("\tat ");
    }

    @Test
    void aConfigFileGivesItUnderItsKey(@TempDir Path tmp) throws Exception {
        String missing = tmp.resolve("absent.properties").toString();
        Path config = Files.writeString(tmp.resolve("facestream.yaml"), "bootstrap-servers: 127.0.0.1:1\nkafka-config: " + missing + "\n");
        CliRun run = CliRun.of("job", "--config", config.toString());
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--kafka-config " + missing + " cannot be read");
    }

    @Test
    void everyCommandThatTalksToKafkaTakesIt() {
        for (String command : new String[] {"job", "topics", "produce", "consume", "render"}) {
            assertThat(CliRun.ok(command, "--help")).as(command).contains("--kafka-config=FILE");
        }
    }
}
