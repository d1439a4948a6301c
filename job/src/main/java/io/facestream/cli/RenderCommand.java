package io.facestream.cli;

import io.facestream.avro.FaceDetectionResult;
import io.facestream.output.AnnotationWriter;
import io.facestream.job.KafkaOptions;
import io.facestream.output.Annotator;
import io.facestream.output.OutputRecords;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;

/** Annotated pictures of results: boxes, scores and landmarks drawn on the original images. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Draw the faces of detection results onto their images: one annotated PNG per image (box and score "
                + "per face, the five landmarks as dots, a tracked face's trackId below its box), named <image>.annotated.png with folders joined by '_'.",
            "Results come from a detections.jsonl (--detections: written by detect, local or consume) or from the output "
                + "topic (--bootstrap-servers: committed results up to now; --follow for new ones); --detections wins. Each result's image is "
                + "looked up under --images by its name or event id, the path under the folder that detect or produce was given."})
final class RenderCommand extends GeneratedCommand {

    static final List<Flags.Flag> FLAGS = FlagSets.concat(List.of(
            Flags.value(ToolOptions.RENDER_IMAGES, "DIR").asRequired(),
            Flags.value(ToolOptions.RENDER_OUT, "DIR"),
            Flags.value(ToolOptions.DETECTIONS, "FILE"),
            FlagSets.BOOTSTRAP_SERVERS, FlagSets.KAFKA_CONFIG, FlagSets.OUTPUT_TOPIC), ResultTopicOptions.FLAGS);

    RenderCommand() {
        super(FLAGS, Logging.QUIET);
    }

    @Override
    int run(Configuration options, PrintWriter console, PrintWriter err) throws Exception {
        Path images = Path.of(options.get(ToolOptions.RENDER_IMAGES));
        Path out = Path.of(options.get(ToolOptions.RENDER_OUT));
        Path detections = options.getOptional(ToolOptions.DETECTIONS).map(Path::of).orElse(null);
        if (!Files.isDirectory(images)) {
            throw new IllegalArgumentException("--images " + images + ": no such folder");
        }
        String bootstrapServers = options.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String outputTopic = options.get(KafkaOptions.OUTPUT_TOPIC);
        if (detections == null && bootstrapServers == null) {
            throw new IllegalArgumentException("give --detections FILE, or --bootstrap-servers to read the output topic");
        }
        Files.createDirectories(out);
        long read;
        double seconds;
        String from;
        AnnotationWriter.Outcome drawn;
        try (ResultPictures pictures = new ResultPictures(images, out, Annotator.Format.PNG)) {
            if (detections != null) {
                if (!Files.isRegularFile(detections)) {
                    throw new IllegalArgumentException("--detections " + detections + ": no such file");
                }
                List<String> lines = Files.readAllLines(detections).stream().filter(line -> !line.isBlank()).toList();
                from = detections.toString();
                try (Progress progress = Progress.start("render", lines.size(), "images", err)) {
                    for (int i = 0; i < lines.size(); i++) {
                        FaceDetectionResult result;
                        try {
                            result = OutputRecords.resultFromJson(lines.get(i));
                        } catch (RuntimeException e) {
                            throw new IllegalArgumentException("--detections " + detections + " line " + (i + 1) + ": " + e.getMessage());
                        }
                        pictures.draw(result);
                        progress.step();
                    }
                    drawn = pictures.finish();
                    seconds = progress.seconds();
                }
                read = lines.size();
            } else {
                OutputRecords records = new OutputRecords();
                from = outputTopic;
                try (CommittedRecords reader = ResultTopicOptions.open(options, bootstrapServers, outputTopic);
                     Progress progress = Progress.start("render " + outputTopic, -1, "images", err)) {
                    read = reader.forEach(record -> {
                        FaceDetectionResult result;
                        try {
                            result = records.result(record.value());
                        } catch (IOException | RuntimeException e) {
                            pictures.problem(record.topic() + "-" + record.partition() + "@" + record.offset()
                                    + ": not a result record (" + e.getMessage() + ")");
                            return;
                        }
                        pictures.draw(result);
                        progress.step();
                    }, options.get(ToolOptions.FOLLOW), options.get(ToolOptions.MAX_MESSAGES));
                    drawn = pictures.finish();
                    seconds = progress.seconds();
                }
            }
        }
        drawn.problems().forEach(problem -> err.println("  not rendered: " + problem));
        if (drawn.failed() > drawn.problems().size()) {
            err.printf("  ... and %d more not rendered%n", drawn.failed() - drawn.problems().size());
        }
        err.flush();
        console.printf(Locale.ROOT, "Rendered %d of %d result(s) from %s, %d face(s), into %s in %s; %d not rendered.%n",
                drawn.written(), read, from, drawn.faces(), out, Progress.rate(drawn.written(), seconds), drawn.failed());
        console.flush();
        return 0;
    }
}
