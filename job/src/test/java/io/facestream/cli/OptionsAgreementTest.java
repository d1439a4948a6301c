package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.config.OptionNames;
import io.facestream.config.Options;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.sql.DetectFacesSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import java.util.LinkedHashSet;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line, a --config file and SQL read the same options: same names, same defaults, same values. */
class OptionsAgreementTest {

    @TempDir
    Path tmp;

    @Test
    void everyGeneratedFlagIsItsOptionsKeyWithItsDefaultAndCommandsAgree() {
        CommandLine cli = FaceStreamCli.commandLine();
        Set<ConfigOption<?>> toolOptions = toolOptions();
        Map<String, String> defaults = new HashMap<>();
        Map<String, String> toolDefaults = new HashMap<>();
        for (CommandLine command : new LinkedHashSet<>(cli.getSubcommands().values())) {
            if (command.getCommandName().equals("help")) {
                continue;
            }
            assertThat((Object) command.getCommand()).as(command.getCommandName() + ": every flag generated from an option")
                    .isInstanceOf(Flags.Generated.class);
            for (Flags.Flag flag : ((Flags.Generated) command.getCommand()).flags()) {
                OptionSpec option = command.getCommandSpec().findOption("--" + flag.option().key());
                assertThat(option).as(command.getCommandName() + " --" + flag.option().key()).isNotNull();
                String expected = Options.defaultText(flag.option());
                assertThat(option.defaultValue()).as(command.getCommandName() + " " + option.longestName()).isEqualTo(expected);
                if (toolOptions.contains(flag.option())) {
                    // A tool's flag is its command's own: local's --out is not render's.
                    toolDefaults.put(command.getCommandName() + " " + option.longestName(), String.valueOf(expected));
                    continue;
                }
                String other = defaults.putIfAbsent(option.longestName(), String.valueOf(expected));
                assertThat(other == null ? String.valueOf(expected) : other).as(option.longestName() + " in every command")
                        .isEqualTo(String.valueOf(expected));
            }
        }
        assertThat(defaults).containsEntry("--score-threshold", "0.5").containsEntry("--timeout", "30s")
                .containsEntry("--delivery-guarantee", "exactly-once").containsEntry("--bootstrap-servers", "null")
                .containsEntry("--parallelism", "0");
        assertThat(toolDefaults).containsEntry("local --out", "out").containsEntry("render --out", "out/rendered")
                .containsEntry("local --parallelism", "2").containsEntry("local --wait", "5min")
                .containsEntry("consume --from", "earliest").containsEntry("detect --format", "jsonl")
                .containsEntry("detect --threads", "null").containsEntry("evaluate --iou", "0.5")
                .containsEntry("topics --partitions", "2").containsEntry("produce --images", "null");
    }

    /** Every option ToolOptions declares. */
    static Set<ConfigOption<?>> toolOptions() {
        Set<ConfigOption<?>> options = new HashSet<>();
        for (Field field : ToolOptions.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == ConfigOption.class) {
                try {
                    field.setAccessible(true);
                    options.add((ConfigOption<?>) field.get(null));
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        return options;
    }

    @Test
    void aConfigFileAndSqlGiveTheSameSettingsAsTheirDefaultsDo() throws Exception {
        Map<String, String> values = Map.of("score-threshold", "0.7", "size", "fit:832", "max-image-bytes", "1000",
                "device", "gpu:1", "precision", "fp32", "inference-threads", "3", "timeout", "5s");
        StringBuilder yaml = new StringBuilder();
        Map<String, String> sql = new HashMap<>();
        values.forEach((key, value) -> {
            yaml.append(key).append(": '").append(value).append("'\n");
            sql.put("facestream." + key, value);
        });
        Path config = Files.writeString(tmp.resolve("facestream.yaml"), yaml.toString());

        for (boolean given : new boolean[] {false, true}) {
            CommandLine cli = FaceStreamCli.commandLine();
            cli.parseArgs(given ? new String[] {"local", "--config", config.toString()} : new String[] {"local"});
            LocalCommand local = cli.getSubcommands().get("local").getCommand();
            FaceDetectionSettings fromCli = FaceDetectionSettings.from(Flags.given(local.spec, LocalCommand.FLAGS), OptionNames.FLAGS);
            DetectFacesSettings fromSql = DetectFacesSettings.fromConfig(Configuration.fromMap(given ? sql : Map.of()));

            assertThat(fromCli.inferenceThreads()).as("given " + given).isEqualTo(fromSql.inferenceThreads()).isEqualTo(given ? 3 : 1);
            assertThat(fromCli.timeout()).isEqualTo(fromSql.timeout());
            assertThat(fromCli.detector().scoreThreshold()).isEqualTo(fromSql.detector().scoreThreshold()).isEqualTo(given ? 0.7f : 0.5f);
            assertThat(fromCli.detector().maxImageBytes()).isEqualTo(fromSql.detector().maxImageBytes());
            assertThat(fromCli.detector().gpu()).isEqualTo(fromSql.detector().gpu());
            assertThat(fromCli.detector().precision()).isEqualTo(fromSql.detector().precision());
            assertThat(fromCli.detector().size().plans(1664, 832)).isEqualTo(fromSql.detector().size().plans(1664, 832));
        }
    }
}
