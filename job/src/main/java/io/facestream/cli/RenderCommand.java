package io.facestream.cli;

import io.facestream.avro.FaceDetectionResult;
import io.facestream.detect.DecodedImage;
import io.facestream.detect.DetectedFace;
import io.facestream.detect.ImageDecoder;
import io.facestream.detect.ImageRejectedException;
import io.facestream.job.KafkaOptions;
import io.facestream.job.Results;
import io.facestream.output.Annotator;
import io.facestream.output.DetectionJson;
import io.facestream.output.OutputRecords;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Annotated pictures of results: boxes, scores and landmarks drawn on the original images. */
@Command(name = "render", mixinStandardHelpOptions = true,
        description = {"Draw the faces of detection results onto their images: one annotated PNG per image (box and score "
                + "per face, the five landmarks as dots), named <image>.annotated.png with folders joined by '_'.",
            "Results come from a detections.jsonl (--detections: written by detect, local or consume) or from the output "
                + "topic (--bootstrap-servers: committed results up to now; --follow for new ones); --detections wins. Each result's image is "
                + "looked up under --images by its name or event id, the path under the folder that detect or produce was given."})
final class RenderCommand implements Callable<Integer>, Flags.Generated {

    static final List<Flags.Flag> FLAGS = List.of(FlagSets.BOOTSTRAP_SERVERS, FlagSets.OUTPUT_TOPIC);

    private static final int LISTED_PROBLEMS = 10;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Folder holding the original images.")
    Path images;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "out/rendered",
            description = "Where the annotated PNGs go. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--detections", paramLabel = "FILE",
            description = "Read results from this detections.jsonl instead of a topic. Default: none (read the output topic).")
    Path detections;

    @Mixin
    ResultTopicOptions source = new ResultTopicOptions();

    @Spec
    CommandSpec spec;

    @Override
    public List<Flags.Flag> flags() {
        return FLAGS;
    }

    private final ImageDecoder decoder = new ImageDecoder(Long.MAX_VALUE, Long.MAX_VALUE);
    private final List<String> problems = new ArrayList<>();
    private long rendered;
    private long faces;

    @Override
    public Integer call() throws Exception {
        FaceStreamCli.quietLogging();
        PrintWriter console = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!Files.isDirectory(images)) {
            throw new IllegalArgumentException("--images " + images + ": no such folder");
        }
        Configuration options = Flags.given(spec, FLAGS);
        String bootstrapServers = options.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String outputTopic = options.get(KafkaOptions.OUTPUT_TOPIC);
        if (detections == null && bootstrapServers == null) {
            throw new IllegalArgumentException("give --detections FILE, or --bootstrap-servers to read the output topic");
        }
        Files.createDirectories(out);
        long read;
        double seconds;
        String from;
        if (detections != null) {
            if (!Files.isRegularFile(detections)) {
                throw new IllegalArgumentException("--detections " + detections + ": no such file");
            }
            List<String> lines = Files.readAllLines(detections).stream().filter(line -> !line.isBlank()).toList();
            from = detections.toString();
            try (Progress progress = Progress.start("render", lines.size(), "images", err)) {
                for (int i = 0; i < lines.size(); i++) {
                    DetectionJson.ImageFaces parsed;
                    try {
                        parsed = DetectionJson.parse(lines.get(i));
                    } catch (RuntimeException e) {
                        throw new IllegalArgumentException("--detections " + detections + " line " + (i + 1) + ": " + e.getMessage());
                    }
                    render(parsed.image(), parsed.faces());
                    progress.step();
                }
                seconds = progress.seconds();
            }
            read = lines.size();
        } else {
            OutputRecords records = new OutputRecords();
            from = outputTopic;
            try (CommittedRecords reader = source.open(bootstrapServers, outputTopic);
                 Progress progress = Progress.start("render " + outputTopic, -1, "images", err)) {
                read = reader.forEach(record -> {
                    FaceDetectionResult result;
                    try {
                        result = records.result(record.value());
                    } catch (IOException | RuntimeException e) {
                        problems.add(record.topic() + "-" + record.partition() + "@" + record.offset() + ": not a result record ("
                                + e.getMessage() + ")");
                        return;
                    }
                    render(result.getEventId(), result.getFaces().stream().map(Results::fromAvro).toList());
                    progress.step();
                }, source.follow, source.maxMessages);
                seconds = progress.seconds();
            }
        }
        problems.stream().limit(LISTED_PROBLEMS).forEach(problem -> err.println("  not rendered: " + problem));
        if (problems.size() > LISTED_PROBLEMS) {
            err.printf("  ... and %d more not rendered%n", problems.size() - LISTED_PROBLEMS);
        }
        err.flush();
        console.printf(Locale.ROOT, "Rendered %d of %d result(s) from %s, %d face(s), into %s in %s; %d not rendered.%n",
                rendered, read, from, faces, out, Progress.rate(rendered, seconds), problems.size());
        console.flush();
        return 0;
    }

    private void render(String image, List<DetectedFace> found) throws IOException {
        Path file = images.resolve(image).normalize();
        if (!file.startsWith(images.normalize()) || !Files.isRegularFile(file)) {
            problems.add(image + ": no such image under " + images);
            return;
        }
        try (DecodedImage decoded = decoder.decode(Files.readAllBytes(file), null)) {
            Annotator.write(decoded, found, out.resolve(Annotator.fileName(image, Annotator.Format.PNG)), Annotator.Format.PNG);
            rendered++;
            faces += found.size();
        } catch (ImageRejectedException e) {
            problems.add(image + ": " + e.reason() + " " + e.getMessage());
        }
    }
}
