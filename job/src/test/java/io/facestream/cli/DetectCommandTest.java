package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.detect.GoldenDetections;
import io.facestream.output.OutputRecords;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
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

        Map<String, FaceDetectionResult> lines = Files.readAllLines(output.resolve("detections.jsonl")).stream()
                .map(OutputRecords::resultFromJson)
                .collect(Collectors.toMap(result -> result.getEventId(), result -> result));
        assertThat(lines).containsOnlyKeys("Chris.jpeg", "coffee.png", "montage_4faces.png");
        assertThat(lines.get("montage_4faces.png").getFaces()).hasSize(4);
        assertThat(lines.get("coffee.png").getFaces()).isEmpty();
        Face chrisFace = lines.get("Chris.jpeg").getFaces().get(0);
        // The reference puts this face's box at (133.58, 107.53, 366.85, 422.45), its left eye at (209.73, 235.68).
        assertThat(chrisFace.getBox().getX1()).isBetween(131.5f, 135.5f);
        assertThat(chrisFace.getLandmarks().getLeftEye().getX()).isBetween(207.5f, 212f);
        assertThat(lines.get("Chris.jpeg").getImageWidth()).isEqualTo(512);
        assertThat(lines.get("Chris.jpeg").getModel().getName()).isEqualTo("mnet.25_v2.int8.onnx");
        assertThat(lines.get("Chris.jpeg").getTimings().getTotalMicros()).as("the time from handing it over")
                .isGreaterThanOrEqualTo(lines.get("Chris.jpeg").getTimings().getInferenceMicros()).isPositive();

        DeadLetter error = OutputRecords.deadLetterFromJson(Files.readString(output.resolve("errors.jsonl")).strip());
        assertThat(error.getEventId()).isEqualTo("broken.jpg");
        assertThat(error.getReason()).isEqualTo(DeadLetterReason.CORRUPT_IMAGE);
        assertThat(error.getPayloadSize()).as("the file's size").isEqualTo(3000);
        assertThat(console).contains("broken.jpg: not processed: CORRUPT_IMAGE").contains("Done: 4 image(s), 5 face(s), 1 not processed");
    }

    @Test
    void cropsAndAnonymizedImagesAreWrittenForEachGoodImageAndNoneForACorruptOne() throws Exception {
        Path inputs = Files.createDirectories(tmp.resolve("in"));
        for (String name : List.of("Chris.jpeg", "coffee.png", "montage_4faces.png")) {
            Files.copy(GoldenDetections.testdata().resolve(name), inputs.resolve(name));
        }
        Path people = Files.createDirectories(inputs.resolve("people"));
        Files.copy(GoldenDetections.testdata().resolve("Bryan.png"), people.resolve("Bryan.png"));
        byte[] chris = Files.readAllBytes(inputs.resolve("Chris.jpeg"));
        Files.write(inputs.resolve("broken.jpg"), Arrays.copyOf(chris, 3000));
        Path output = tmp.resolve("out");
        Path crops = tmp.resolve("crops");
        Path anonymized = tmp.resolve("anonymized");

        String console = CliRun.ok("detect", "--input", inputs.toString(), "--output", output.toString(), "--format", "jsonl",
                "--crops", crops.toString(), "--anonymize", anonymized.toString());

        Map<String, Integer> faces = Files.readAllLines(output.resolve("detections.jsonl")).stream()
                .map(OutputRecords::resultFromJson)
                .collect(Collectors.toMap(result -> result.getEventId(), result -> result.getFaces().size()));
        assertThat(faces).containsOnlyKeys("Chris.jpeg", "coffee.png", "montage_4faces.png", "people/Bryan.png");
        int total = faces.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(total).isEqualTo(6);
        for (Map.Entry<String, Integer> image : faces.entrySet()) {
            for (int n = 0; n < image.getValue(); n++) {
                Path crop = crops.resolve(image.getKey() + ".face" + n + ".jpg");
                assertThat(crop).as("the crop of face %d of %s", n, image.getKey()).isRegularFile();
                assertThat(imageSize(crop)).as(crop.toString()).containsExactly(112, 112);
            }
            Path cover = anonymized.resolve(image.getKey() + ".jpg");
            assertThat(cover).as("the anonymized %s", image.getKey()).isRegularFile();
            assertThat(imageSize(cover)).as("%s, the original's size", cover).isEqualTo(imageSize(inputs.resolve(image.getKey())));
        }
        assertThat(filesUnder(crops)).as("crop files").hasSize(total);
        assertThat(filesUnder(anonymized)).as("anonymized files, none for broken.jpg").hasSize(faces.size())
                .noneMatch(file -> file.getFileName().toString().startsWith("broken"));
        assertThat(console).contains("broken.jpg: not processed: CORRUPT_IMAGE")
                .contains("Face crops: " + total + " in " + crops.toAbsolutePath() + System.lineSeparator())
                .contains("Anonymized images: 4 in " + anonymized.toAbsolutePath() + " (none for the 1 not processed)");
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    /** Width and height, read by Java's own decoders. */
    private static List<Integer> imageSize(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertThat(image).as("%s decodes", file).isNotNull();
        return List.of(image.getWidth(), image.getHeight());
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
    void aFoldersFilesThatAreNotImagesByNameAreNamedAsSkippedAndNamedFilesAreReadWhateverTheirName() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("in"));
        Files.copy(GoldenDetections.testdata().resolve("Chris.jpeg"), folder.resolve("Chris.jpeg"));
        Files.writeString(folder.resolve("notes.txt"), "not a picture");
        Files.writeString(folder.resolve("drawing.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
        Files.writeString(Files.createDirectories(folder.resolve("sub")).resolve("readme.md"), "# nothing");
        Path photo = Files.copy(GoldenDetections.testdata().resolve("montage_4faces.png"), tmp.resolve("photo.dat"));
        Path letter = Files.writeString(tmp.resolve("letter.txt"), "Dear reader,");
        Path output = tmp.resolve("out");

        String console = CliRun.ok("detect", "--input", folder.toString(), photo.toString(), letter.toString(),
                "--output", output.toString());

        assertThat(console).contains("Done: 3 image(s), 5 face(s), 1 not processed, "
                + "skipped 3: drawing.svg, notes.txt, sub/readme.md (not images by their names), ");
        Map<String, FaceDetectionResult> results = Files.readAllLines(output.resolve("detections.jsonl")).stream()
                .map(OutputRecords::resultFromJson).collect(Collectors.toMap(result -> result.getEventId(), result -> result));
        assertThat(results).containsOnlyKeys("Chris.jpeg", "photo.dat");
        assertThat(results.get("photo.dat").getFaces()).as("read by its content: the montage's four faces").hasSize(4);
        DeadLetter error = OutputRecords.deadLetterFromJson(Files.readString(output.resolve("errors.jsonl")).strip());
        assertThat(error.getEventId()).isEqualTo("letter.txt");
        assertThat(console).contains("letter.txt: not processed: " + error.getReason());
    }

    @Test
    void aFolderWithoutImagesNamesWhatItSkippedAndManySkippedFilesAreCounted() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("texts"));
        for (int i = 1; i <= 25; i++) {
            Files.writeString(folder.resolve(String.format("note%02d.txt", i)), "text " + i);
        }

        CliRun run = CliRun.of("detect", "--input", folder.toString(), "--output", tmp.resolve("out").toString());

        assertThat(run.code()).isEqualTo(2);
        String listed = String.join(", ", Stream.iterate(1, i -> i + 1).limit(20).map(i -> String.format("note%02d.txt", i)).toList());
        assertThat(run.err()).contains("no image files (jpg, png, bmp, webp, tiff, pnm) found in [" + folder + "], skipped 25: "
                + listed + " and 5 more (not images by their names); name a file to read it whatever its name");
    }

    @Test
    void invalidFlagsFailWithAMessage() {
        CliRun run = CliRun.of("detect", "--input", tmp.toString(), "--output", tmp.toString(), "--score-threshold", "2");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).contains("--score-threshold 2.0: must be between 0 and 1");
    }
}
