package io.facestream.cli;

import io.facestream.job.InputFormat;
import io.facestream.job.KafkaOptions;
import io.facestream.kafka.KafkaClientConfig;
import io.facestream.track.TrackingOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;

/** Sends image files to the job's input topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send image files, or every image in folders (searched recursively), or the frames of a video, to the "
                + "input topic as image events.",
            "avro: ImageEvent records carrying the image bytes, or with --reference the image's file: URI for the job to read "
                + "(start the job with --image-uri-allow covering the folder); raw: the image bytes themselves. "
                + "Keys and event ids are the files' paths under the folders given (a file given directly: its name).",
            "--source NAME sends the images as frames of one source for the job's tracking (--track): NAME is every "
                + "record's key (raw: the header --source-field), event times --frame-interval apart in the order sent. "
                + "--video FILE sends a Motion JPEG AVI's frames (at most --fps per second) as JPEGs of one source, event "
                + "times from the video's own timestamps."})
final class ProduceCommand extends GeneratedCommand {

    private static final int LISTED_FAILURES = 10;

    static final List<Flags.Flag> FLAGS = List.of(FlagSets.BOOTSTRAP_SERVERS.asRequired(), FlagSets.KAFKA_CONFIG, FlagSets.INPUT_TOPIC, FlagSets.INPUT_FORMAT,
            Flags.list(ToolOptions.PRODUCE_IMAGES, "FILE_OR_DIR").oneOrMore(),
            Flags.value(ToolOptions.VIDEO, "FILE"),
            Flags.value(ToolOptions.FPS, "N"),
            Flags.value(ToolOptions.SOURCE, "NAME"),
            Flags.value(TrackingOptions.SOURCE_FIELD, "FIELD"),
            Flags.value(ToolOptions.FRAME_INTERVAL, "DURATION"),
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
        List<Path> images = options.getOptional(ToolOptions.PRODUCE_IMAGES).orElse(List.of()).stream().map(Path::of).toList();
        Path video = options.getOptional(ToolOptions.VIDEO).map(Path::of).orElse(null);
        Double fps = options.getOptional(ToolOptions.FPS).orElse(null);
        String sourceField = options.getOptional(TrackingOptions.SOURCE_FIELD).map(String::strip).orElse(null);
        String source = options.getOptional(ToolOptions.SOURCE).orElse(video == null ? null : SourceFrames.videoSource(video));
        Duration interval = options.get(ToolOptions.FRAME_INTERVAL);
        boolean reference = options.get(ToolOptions.REFERENCE);
        if (images.isEmpty() == (video == null)) {
            throw new IllegalArgumentException("give --images FILE_OR_DIR... or --video FILE" + (video == null ? "" : ", not both"));
        }
        if (reference && format == InputFormat.RAW) {
            throw new IllegalArgumentException("--reference needs --input-format avro: raw records are the image bytes themselves");
        }
        if (reference && video != null) {
            throw new IllegalArgumentException("--reference sends image files by their URI; a video's frames are sent as JPEG bytes");
        }
        if (fps != null && video == null) {
            throw new IllegalArgumentException("--fps " + fps + ": picks frames of a --video");
        }
        if (source != null && source.isBlank()) {
            throw new IllegalArgumentException("--source: must not be blank");
        }
        if (sourceField != null && (source == null || sourceField.isEmpty())) {
            throw new IllegalArgumentException("--source-field " + sourceField + ": names where --source NAME goes, give "
                    + (sourceField.isEmpty() ? "a field name" : "--source or --video"));
        }
        if (source != null && format == InputFormat.RAW && sourceField == null) {
            throw new IllegalArgumentException("--source with --input-format raw: a raw record's key is its event id, so give "
                    + "--source-field HEADER to send the source in that record header (the job reads it with the same "
                    + "--source-field)");
        }
        if (source != null && video == null) {
            SourceFrames.checkInterval(interval);
        }
        if (video != null) {
            try (VideoFrames frames = new VideoFrames(video, fps)) {
                return send(options, bootstrapServers, inputTopic, format, false, -1, "video frames", out, err,
                        start -> SourceFrames.ofVideo(frames, video, source, sourceField, start));
            }
        }
        List<ImageFiles.ImageFile> files = ImageFiles.collect(images, true);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--images " + images + ": no image files (" + ImageFiles.EXTENSIONS_TEXT + ") found");
        }
        return send(options, bootstrapServers, inputTopic, format, reference, files.size(), "images", out, err,
                start -> source == null
                        ? files.stream().map(ImageSender.Outgoing::alone).iterator()
                        : SourceFrames.ofOneSource(files, source, sourceField, start, interval).iterator());
    }

    /** Sends what {@code images} makes of the moment sending starts, and reports; {@code total} -1 where unknown. */
    private static int send(Configuration options, String bootstrapServers, String inputTopic, InputFormat format,
                            boolean reference, long total, String what, PrintWriter out, PrintWriter err,
                            Function<Instant, Iterator<ImageSender.Outgoing>> images) {
        ImageSender.Outcome outcome;
        double seconds;
        try (ImageSender sender = new ImageSender(bootstrapServers, inputTopic, KafkaClientConfig.merged(
                options.get(KafkaOptions.KAFKA_CONFIG), options.getOptional(ToolOptions.PRODUCER_PROPERTIES).orElse(Map.of())));
             Progress progress = Progress.start("produce " + inputTopic, total, what, err)) {
            outcome = sender.send(images.apply(Instant.now().truncatedTo(ChronoUnit.MILLIS)), format, reference, progress::step);
            seconds = progress.seconds();
        }
        List<String> failures = outcome.failures();
        failures.stream().limit(LISTED_FAILURES).forEach(failure -> err.println("  not sent: " + failure));
        if (failures.size() > LISTED_FAILURES) {
            err.printf("  ... and %d more not sent%n", failures.size() - LISTED_FAILURES);
        }
        err.flush();
        long attempted = outcome.sent() + failures.size();
        out.printf(Locale.ROOT, "Sent %d of %d %s to %s (%s%s, %.1f MB) in %s; %d failed.%n", outcome.sent(),
                total < 0 ? attempted : total, what.equals("images") ? "image(s)" : "video frame(s)", inputTopic,
                format.name().toLowerCase(Locale.ROOT), reference ? " references" : "", outcome.bytes() / 1e6,
                Progress.rate(outcome.sent(), seconds), failures.size());
        out.flush();
        return failures.isEmpty() ? 0 : 1;
    }
}
