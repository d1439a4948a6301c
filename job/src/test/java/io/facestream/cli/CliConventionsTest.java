package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.GoldenDetections;
import io.facestream.job.KafkaOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** What every command shares: flags from --config files, defaults in --help, unknown flags refused with a suggestion. */
@Timeout(120)
class CliConventionsTest {

    @TempDir
    Path tmp;

    private Path detectionsOfChris() throws Exception {
        Path detections = tmp.resolve("detections.jsonl");
        Files.writeString(detections, AnnotatedPictures.detectionsLine(AnnotatedPictures.IMAGE) + "\n");
        return detections;
    }

    @Test
    void flagsFromAYamlFileTakeEffectAndTheCommandsSectionWinsOverTheTopLevel() throws Exception {
        Path config = tmp.resolve("facestream.yaml");
        Files.writeString(config, String.join("\n",
                "images: " + GoldenDetections.testdata(),
                "out: " + tmp.resolve("top-level"),
                "bootstrap-servers: shared-by-other-commands:9092",
                "render:",
                "  detections: " + detectionsOfChris(),
                "  out: " + tmp.resolve("from-yaml"),
                ""));

        CliRun run = CliRun.of("render", "--config", config.toString());

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(tmp.resolve("from-yaml/Chris.jpeg.annotated.png")).exists();
        assertThat(tmp.resolve("top-level")).doesNotExist();
    }

    @Test
    void flagsFromAPropertiesFileTakeEffect() throws Exception {
        Path config = tmp.resolve("facestream.properties");
        Files.writeString(config, String.join("\n",
                "images=" + GoldenDetections.testdata(),
                "render.detections=" + detectionsOfChris(),
                "render.out=" + tmp.resolve("from-properties"),
                ""));

        CliRun.ok("render", "--config", config.toString());

        assertThat(tmp.resolve("from-properties/Chris.jpeg.annotated.png")).exists();
    }

    @Test
    void theCommandLineWinsOverTheFileBeforeAndAfterConfig() throws Exception {
        Path config = tmp.resolve("facestream.yml");
        Files.writeString(config, "images: " + GoldenDetections.testdata() + "\ndetections: " + detectionsOfChris()
                + "\nout: " + tmp.resolve("file") + "\n");

        CliRun.ok("render", "--out", tmp.resolve("before").toString(), "--config", config.toString());
        CliRun.ok("render", "--config", config.toString(), "--out", tmp.resolve("after").toString());

        assertThat(tmp.resolve("before/Chris.jpeg.annotated.png")).exists();
        assertThat(tmp.resolve("after/Chris.jpeg.annotated.png")).exists();
        assertThat(tmp.resolve("file")).doesNotExist();
    }

    @Test
    void listsAndKeyValueFlagsAndRequiredFlagsComeFromTheFileToo() throws Exception {
        Path config = tmp.resolve("produce.yaml");
        Files.writeString(config, String.join("\n",
                "bootstrap-servers: 127.0.0.1:9092",
                "images: [a, b]",
                "producer-property:",
                "  linger.ms: 7",
                "  compression.type: lz4",
                "reference: true",
                ""));
        CommandLine cli = FaceStreamCli.commandLine();

        cli.parseArgs("produce", "--config", config.toString());

        ProduceCommand produce = cli.getSubcommands().get("produce").getCommand();
        Configuration options = produce.options();
        assertThat(options.get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("127.0.0.1:9092");
        assertThat(options.get(ToolOptions.PRODUCE_IMAGES)).containsExactly("a", "b");
        assertThat(options.get(ToolOptions.PRODUCER_PROPERTIES)).containsExactly(Map.entry("linger.ms", "7"), Map.entry("compression.type", "lz4"));
        assertThat(options.get(ToolOptions.REFERENCE)).isTrue();
    }

    @Test
    void aPropertiesListIsCommaSeparatedAndKeyValuePairsAreDotted() throws Exception {
        Path config = tmp.resolve("consume.properties");
        Files.writeString(config, "bootstrap-servers=b:9092\nconsume.consumer-property.max.poll.records=5\nproduce.images=x,y\n");
        CommandLine cli = FaceStreamCli.commandLine();

        cli.parseArgs("consume", "--config", config.toString());

        ConsumeCommand consume = cli.getSubcommands().get("consume").getCommand();
        assertThat(consume.options().get(KafkaOptions.BOOTSTRAP_SERVERS)).isEqualTo("b:9092");
        assertThat(consume.options().get(ToolOptions.READER_CONSUMER_PROPERTIES)).containsExactly(Map.entry("max.poll.records", "5"));
    }

    @Test
    void anUnknownKeyInTheFileFailsWithASuggestion() throws Exception {
        Path config = tmp.resolve("typo.yaml");
        Files.writeString(config, "bootstrap-server: localhost:9092\n");

        CliRun run = CliRun.of("consume", "--config", config.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("unknown flag 'bootstrap-server'").contains("Did you mean bootstrap-servers?");
    }

    @Test
    void anUnknownFlagFailsFastWithASuggestion() {
        CliRun run = CliRun.of("produce", "--bootstrap-server", "localhost:9092", "--images", "testdata");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown option").contains("'--bootstrap-server'").contains("Did you mean --bootstrap-servers");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void theRemovedMaxBatchFlagFailsSayingItWasRemoved() throws Exception {
        CliRun flag = CliRun.of("detect", "--input", "testdata", "--output", tmp.toString(), "--max-batch", "4");
        assertThat(flag.code()).isEqualTo(2);
        assertThat(flag.err()).contains("--max-batch was removed: micro-batching was removed").doesNotContain("Did you mean");
        assertThat(flag.out()).isEmpty();

        Path config = tmp.resolve("old.yaml");
        Files.writeString(config, "job:\n  max-batch: 4\n");
        CliRun file = CliRun.of("detect", "--input", "testdata", "--output", tmp.toString(), "--config", config.toString());
        assertThat(file.code()).isEqualTo(2);
        assertThat(file.err()).contains("'job.max-batch': --max-batch was removed: micro-batching was removed");
    }

    @Test
    void anUnknownCommandFailsWithASuggestion() {
        CliRun run = CliRun.of("prodcue");

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("Did you mean produce");
    }

    @Test
    void helpShowsTheDefaultOfEveryOptionOfEveryCommand() {
        CommandLine cli = FaceStreamCli.commandLine();
        List<String> withoutDefault = new ArrayList<>();
        for (CommandLine command : new LinkedHashSet<>(cli.getSubcommands().values())) {
            if (command.getCommandName().equals("help")) {
                continue;
            }
            // Without white space: the help wraps lines at spaces and after dots.
            String help = CliRun.ok(command.getCommandName(), "--help").replaceAll("\\s+", "");
            assertThat(help).as(command.getCommandName()).contains("--config=FILEReadflags");
            for (OptionSpec option : command.getCommandSpec().options()) {
                if (option.usageHelp() || option.versionHelp() || option.required()) {
                    continue;
                }
                String description = String.join(" ", option.description());
                if (!description.contains("Default:")) {
                    withoutDefault.add(command.getCommandName() + " " + option.longestName());
                } else if (option.defaultValue() != null) {
                    assertThat(help).as(command.getCommandName() + " " + option.longestName())
                            .contains(("Default: " + option.defaultValue()).replaceAll("\\s+", ""));
                }
            }
        }
        assertThat(withoutDefault).isEmpty();
    }
}
