package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.GoldenDetections;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every command that loads a model or reads a {@code --config} file answers a corrupt model, a
 * missing file and a malformed config file with exit code 2 and one line naming the file and what
 * to do, never a stack trace. All fail before any broker would be reached: none is needed.
 */
@Timeout(120)
class ClearAnswersTest {

    /** The commands that load a model, each with the arguments that get it as far as loading one. */
    private static final Map<String, List<String>> MODEL_COMMANDS = Map.of(
            "detect", List.of("--input", "IMAGES", "--output", "OUT"),
            "local", List.of("--images", "IMAGES", "--out", "OUT"),
            "job", List.of("--bootstrap-servers", "127.0.0.1:1"));

    /** For each command, a flag of its own whose value must be a number (or a duration). */
    private static final Map<String, String> TYPED_FLAG = Map.of(
            "job", "parallelism", "local", "parallelism", "detect", "threads", "topics", "partitions",
            "evaluate", "iou", "produce", "fps", "consume", "max-messages", "render", "max-messages");

    @TempDir
    static Path tmp;

    static Path images;

    @BeforeAll
    static void oneImage() throws Exception {
        images = Files.createDirectories(tmp.resolve("images"));
        Files.copy(GoldenDetections.testdata().resolve("Chris.jpeg"), images.resolve("Chris.jpeg"));
    }

    static Stream<Arguments> modelCommandsAndBadModels() throws Exception {
        byte[] random = new byte[64 * 1024];
        new Random(17).nextBytes(random);
        byte[] model;
        try (InputStream in = ClearAnswersTest.class.getResourceAsStream("/facestream/models/mnet.25_v2.onnx")) {
            model = in.readAllBytes();
        }
        Path dir = Files.createDirectories(tmp.resolve("bad-models"));
        Map<String, Path> bad = Map.of(
                "random bytes", Files.write(dir.resolve("random.onnx"), random),
                "a truncated ONNX export", Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(model, model.length / 3)),
                "a missing file", dir.resolve("missing.onnx"));
        return MODEL_COMMANDS.keySet().stream().sorted()
                .flatMap(command -> bad.entrySet().stream().map(file -> Arguments.of(command, file.getKey(), file.getValue())));
    }

    @ParameterizedTest(name = "{0} --model with {1}")
    @MethodSource("modelCommandsAndBadModels")
    void aModelThatCannotBeUsedIsOneLineAndExitCodeTwo(String command, String what, Path model) {
        Path out = tmp.resolve(command + "-" + model.getFileName() + "-out");
        List<String> args = new ArrayList<>(List.of(command));
        MODEL_COMMANDS.get(command).forEach(arg -> args.add(arg.equals("IMAGES") ? images.toString()
                : arg.equals("OUT") ? out.toString() : arg));
        args.addAll(List.of("--model", model.toString()));

        CliRun run = CliRun.of(args.toArray(String[]::new));

        assertOneClearLine(run, command, "--model " + model, what.equals("a missing file")
                ? "no such file; give the path of a RetinaFace .onnx export"
                : "Give the path of a RetinaFace .onnx export");
        assertThat(run.out()).as("nothing started").isEmpty();
        assertThat(out).as("nothing written").doesNotExist();
    }

    static Stream<Arguments> everyCommandAndABadConfigFile() throws Exception {
        Set<String> commands = new LinkedHashSet<>(FaceStreamCli.commandLine().getSubcommands().keySet());
        commands.remove("help");
        assertThat(TYPED_FLAG).as("a typed flag for every command").containsOnlyKeys(commands);
        Path dir = Files.createDirectories(tmp.resolve("bad-configs"));
        List<Arguments> cases = new ArrayList<>();
        for (String command : commands) {
            String flag = TYPED_FLAG.get(command);
            Path notYaml = Files.writeString(dir.resolve(command + "-not-yaml.yaml"), flag + ": [1,\n  out: x\n");
            Path unknown = Files.writeString(dir.resolve(command + "-unknown.yaml"), flag + "z: 1\n");
            Path wrongType = Files.writeString(dir.resolve(command + "-wrong-type.properties"), flag + "=lots\n");
            cases.add(Arguments.of(command, notYaml, "not valid YAML", "fix the file there"));
            cases.add(Arguments.of(command, unknown, "unknown flag '" + flag + "z'", "Did you mean " + flag + "?"));
            cases.add(Arguments.of(command, wrongType, flag + " takes ", "see --help for its values"));
            cases.add(Arguments.of(command, dir.resolve(command + "-missing.yaml"), "no such file",
                    "give the path of a .properties, .yaml or .yml file"));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} --config {1}")
    @MethodSource("everyCommandAndABadConfigFile")
    void aConfigFileThatCannotBeUsedIsOneLineAndExitCodeTwo(String command, Path config, String problem, String whatToDo) {
        CliRun run = CliRun.of(command, "--config", config.toString());

        assertOneClearLine(run, command, "--config " + config + ": " + problem, whatToDo);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aWrongTypeInTheFileNamesTheKindOfValueTheFlagTakes() throws Exception {
        Path config = Files.writeString(tmp.resolve("durations.yaml"), "local:\n  wait: soon\n");

        CliRun run = CliRun.of("local", "--config", config.toString());

        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--config " + config + ": wait takes DURATION, not 'soon'");
    }

    /**
     * Exit code 2; on standard error the one line naming the problem and what to do (and the
     * pointer to --help that every usage error ends with); no stack trace anywhere.
     */
    private static void assertOneClearLine(CliRun run, String command, String problem, String whatToDo) {
        String printed = run.out() + run.err();
        assertThat(run.code()).as(printed).isEqualTo(2);
        List<String> lines = run.err().lines().filter(line -> !line.isBlank()).toList();
        assertThat(lines).as(printed).hasSize(2);
        assertThat(lines.get(0)).startsWith("facestream " + command + ": ").contains(problem).contains(whatToDo);
        assertThat(lines.get(1)).isEqualTo("Run 'java -jar facestream.jar " + command + " --help' for the flags.");
        assertThat(printed.lines().collect(Collectors.toList())).as(printed)
                .noneMatch(line -> line.contains("Exception") || line.strip().startsWith("at ") || line.contains("Caused by"));
    }
}
