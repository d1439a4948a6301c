package io.facestream.cli;

import io.facestream.job.InputFormat;
import io.facestream.job.KafkaOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;

/** Sends image files to the job's input topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send image files, or every image in folders (searched recursively), to the input topic as image events.",
            "avro: ImageEvent records carrying the image bytes, or with --reference the image's file: URI for the job to read "
                + "(start the job with --image-uri-allow covering the folder); raw: the image bytes themselves. "
                + "Keys and event ids are the files' paths under the folders given (a file given directly: its name)."})
final class ProduceCommand extends GeneratedCommand {

    private static final int LISTED_FAILURES = 10;

    static final List<Flags.Flag> FLAGS = List.of(FlagSets.BOOTSTRAP_SERVERS.asRequired(), FlagSets.INPUT_TOPIC, FlagSets.INPUT_FORMAT,
            Flags.list(ToolOptions.PRODUCE_IMAGES, "FILE_OR_DIR").oneOrMore().asRequired(),
            Flags.toggle(ToolOptions.REFERENCE),
            Flags.map(ToolOptions.PRODUCER_PROPERTIES));

    ProduceCommand() {
        super(FLAGS, Logging.QUIET);
    }

    @Override
    int run(Configuration options, PrintWriter out, PrintWriter err) throws Exception {
        InputFormat format = options.get(KafkaOptions.INPUT_FORMAT);
        String bootstrapServers = options.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String inputTopic = options.get(KafkaOptions.INPUT_TOPIC);
        List<Path> images = options.get(ToolOptions.PRODUCE_IMAGES).stream().map(Path::of).toList();
        boolean reference = options.get(ToolOptions.REFERENCE);
        if (reference && format == InputFormat.RAW) {
            throw new IllegalArgumentException("--reference needs --input-format avro: raw records are the image bytes themselves");
        }
        List<ImageFiles.ImageFile> files = ImageFiles.collect(images, true);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--images " + images + ": no image files (jpg, png, bmp, webp, tiff, pnm) found");
        }
        ImageSender.Outcome outcome;
        double seconds;
        try (ImageSender sender = new ImageSender(bootstrapServers, inputTopic,
                options.getOptional(ToolOptions.PRODUCER_PROPERTIES).orElse(Map.of()));
             Progress progress = Progress.start("produce " + inputTopic, files.size(), "images", err)) {
            outcome = sender.send(files, format, reference, progress::step);
            seconds = progress.seconds();
        }
        List<String> failures = outcome.failures();
        failures.stream().limit(LISTED_FAILURES).forEach(failure -> err.println("  not sent: " + failure));
        if (failures.size() > LISTED_FAILURES) {
            err.printf("  ... and %d more not sent%n", failures.size() - LISTED_FAILURES);
        }
        err.flush();
        out.printf(Locale.ROOT, "Sent %d of %d image(s) to %s (%s%s, %.1f MB) in %s; %d failed.%n", outcome.sent(), files.size(),
                inputTopic, format.name().toLowerCase(Locale.ROOT), reference ? " references" : "", outcome.bytes() / 1e6,
                Progress.rate(outcome.sent(), seconds), failures.size());
        out.flush();
        return failures.isEmpty() ? 0 : 1;
    }
}
