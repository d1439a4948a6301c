package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.facestream.detect.GoldenDetections;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class DetectCommandTest {

    @TempDir
    Path tmp;


    @Test
    void jsonlHasOneLinePerImageAndReportsUnreadableOnesWithoutFailing() throws Exception {
        Path inputs = Files.createDirectories(tmp.resolve("in"));
        for (String name : List.of("Chris.jpeg", "coffee.png", "montage_4faces.png")) {
            Files.copy(GoldenDetections.testdata().resolve(name), inputs.resolve(name));
        }
        byte[] chris = Files.readAllBytes(inputs.resolve("Chris.jpeg"));
        Files.write(inputs.resolve("broken.jpg"), Arrays.copyOf(chris, 3000));
        Path output = tmp.resolve("out");

        String console = CliRun.ok("detect", "--input", inputs.toString(), "--output", output.toString(), "--format", "jsonl");

        assertThat(console).as("without --threads, a thread per processor")
                .contains(", " + Runtime.getRuntime().availableProcessors() + " thread(s)");

        Map<String, JsonObject> lines = Files.readAllLines(output.resolve("detections.jsonl")).stream()
                .map(line -> JsonParser.parseString(line).getAsJsonObject())
                .collect(Collectors.toMap(o -> o.get("image").getAsString(), o -> o));
        assertThat(lines).containsOnlyKeys("Chris.jpeg", "coffee.png", "montage_4faces.png");
        assertThat(lines.get("montage_4faces.png").getAsJsonArray("faces")).hasSize(4);
        assertThat(lines.get("coffee.png").getAsJsonArray("faces")).isEmpty();
        JsonObject chrisFace = lines.get("Chris.jpeg").getAsJsonArray("faces").get(0).getAsJsonObject();
        assertThat(chrisFace.getAsJsonArray("box")).hasSize(4);
        assertThat(chrisFace.getAsJsonArray("landmarks")).hasSize(5);
        // The reference puts this face's box at (133.58, 107.53, 366.85, 422.45).
        assertThat(chrisFace.getAsJsonArray("box").get(0).getAsDouble()).isBetween(131.5, 135.5);
        assertThat(lines.get("Chris.jpeg").get("width").getAsInt()).isEqualTo(512);

        assertThat(Files.readString(output.resolve("errors.jsonl"))).contains("broken.jpg").contains("CORRUPT_IMAGE");
        assertThat(console).contains("broken.jpg: not processed: CORRUPT_IMAGE").contains("Done: 4 image(s), 5 face(s), 1 not processed");
    }

    @Test
    void widerLayoutKeepsEventFoldersAndWritesOneLinePerFace() throws Exception {
        Path event = Files.createDirectories(tmp.resolve("in/0--Parade"));
        Files.copy(GoldenDetections.testdata().resolve("montage_4faces.png"), event.resolve("0_Parade_1.png"));
        Path output = tmp.resolve("wider");

        CliRun.ok("detect", "--input", tmp.resolve("in").toString(), "--output", output.toString(), "--format", "wider",
                "--score-threshold", "0.02");

        List<String> lines = Files.readAllLines(output.resolve("0--Parade/0_Parade_1.txt"));
        assertThat(lines.get(0)).isEqualTo("0_Parade_1");
        int count = Integer.parseInt(lines.get(1));
        assertThat(count).isGreaterThanOrEqualTo(4).isEqualTo(lines.size() - 2);
        String[] best = lines.get(2).split(" ");
        assertThat(best).hasSize(5);
        assertThat(Double.parseDouble(best[2])).as("width").isPositive();
        assertThat(Double.parseDouble(best[4])).as("highest score first").isGreaterThan(0.99);
    }

    @Test
    void precisionComesFromTheFlagOrTheConfigFile() throws Exception {
        Path input = Files.createDirectories(tmp.resolve("in"));
        Files.copy(GoldenDetections.testdata().resolve("Chris.jpeg"), input.resolve("Chris.jpeg"));
        Path config = tmp.resolve("facestream.yaml");
        Files.writeString(config, "precision: fp32\n");

        String byDefault = CliRun.ok("detect", "--input", input.toString(), "--output", tmp.resolve("default").toString());
        String console = CliRun.ok("detect", "--input", input.toString(), "--output", tmp.resolve("out").toString(),
                "--config", config.toString());

        assertThat(byDefault).as("auto: int8 for the default model").contains("with mnet.25_v2.int8.onnx")
                .contains("Done: 1 image(s), 1 face(s)");
        assertThat(console).contains("with mnet.25_v2.onnx").contains("Done: 1 image(s), 1 face(s)");
        CliRun own = CliRun.of("detect", "--input", input.toString(), "--output", tmp.resolve("own").toString(),
                "--precision", "int8", "--model", GoldenDetections.testdata().resolve("Chris.jpeg").toString());
        assertThat(own.code()).isEqualTo(2);
        assertThat(own.err()).contains("--precision int8: only the default model has an int8 build");
    }

    @Test
    void invalidFlagsFailWithAMessage() {
        CliRun run = CliRun.of("detect", "--input", tmp.toString(), "--output", tmp.toString(), "--score-threshold", "2");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--score-threshold 2.0: must be between 0 and 1");
    }
}
