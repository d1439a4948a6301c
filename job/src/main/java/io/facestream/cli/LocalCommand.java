package io.facestream.cli;

import io.facestream.avro.DeadLetter;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.config.OptionNames;
import io.facestream.job.FaceDetectionSettings;
import io.facestream.job.KafkaOptions;
import io.facestream.job.FaceStreamJob;
import io.facestream.job.InputFormat;
import io.facestream.job.KafkaSettings;
import io.facestream.track.TrackingSettings;
import io.facestream.job.StartupChecks;
import io.facestream.kafka.KafkaClientConfig;
import io.facestream.output.AnnotationWriter;
import io.facestream.output.Annotator;
import io.facestream.output.OutputRecords;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.producer.ProducerConfig;
import picocli.CommandLine.Command;

/**
 * The embedded default: a real Kafka broker in this JVM, the job on a local Flink MiniCluster,
 * every image in a folder produced as an event, and each result shown as it is committed.
 */
@Command(name = "local", mixinStandardHelpOptions = true,
        description = "Run the whole pipeline on this machine: in-process Kafka broker, local Flink, the images in a folder.")
final class LocalCommand extends GeneratedCommand {

    private static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    enum Annotate {
        NONE(null), JPEG(Annotator.Format.JPEG), PNG(Annotator.Format.PNG);

        final Annotator.Format format;

        Annotate(Annotator.Format format) {
            this.format = format;
        }
    }

    static final List<Flags.Flag> FLAGS = FlagSets.concat(List.of(
            Flags.value(ToolOptions.LOCAL_IMAGES, "DIR"),
            Flags.value(ToolOptions.LOCAL_OUT, "DIR"),
            Flags.choice(ToolOptions.ANNOTATE, Annotate.class),
            Flags.value(ToolOptions.LOCAL_PARALLELISM, "N"),
            Flags.value(ToolOptions.WAIT, "DURATION"),
            Flags.value(ToolOptions.FRAME_INTERVAL, "DURATION")), FlagSets.DETECTION_STAGE, FlagSets.TRACKING,
            List.of(FlagSets.DELIVERY_GUARANTEE, FlagSets.BOOTSTRAP_SERVERS, FlagSets.KAFKA_CONFIG));

    LocalCommand() {
        super(FLAGS, Logging.QUIET);
    }

    @Override
    int run(Configuration options, PrintWriter console, PrintWriter err) throws Exception {
        Path images = Path.of(options.get(ToolOptions.LOCAL_IMAGES));
        Path out = Path.of(options.get(ToolOptions.LOCAL_OUT));
        Annotate annotation = options.get(ToolOptions.ANNOTATE);
        int parallelism = options.get(ToolOptions.LOCAL_PARALLELISM);
        Duration wait = options.get(ToolOptions.WAIT);
        Duration frameInterval = options.get(ToolOptions.FRAME_INTERVAL);
        if (parallelism < 1) {
            throw new IllegalArgumentException("--parallelism " + parallelism + ": must be at least 1");
        }
        if (!Files.isDirectory(images)) {
            throw new IllegalArgumentException("--images " + images + ": no such folder");
        }
        FaceDetectionSettings settings = FaceDetectionSettings.from(options, OptionNames.FLAGS);
        TrackingSettings tracking = TrackingSettings.from(options, OptionNames.FLAGS);
        boolean track = tracking.enabled();
        String sourceField = tracking.sourceField();
        DeliveryGuarantee guarantee = options.get(KafkaOptions.DELIVERY_GUARANTEE);
        StartupChecks.checkModel(settings.detector());
        if (track) {
            SourceFrames.checkInterval(frameInterval);
        }
        // With tracking, every folder under --images is a source: they are searched too.
        ImageFiles.Found found = ImageFiles.find(List.of(images), track);
        List<ImageFiles.ImageFile> files = found.images();
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--images " + images + ": no image files (" + ImageFiles.EXTENSIONS_TEXT + ") in it"
                    + (track ? " or its sub-folders" : "") + (found.skipped().isEmpty() ? "" : ", " + found.skippedSummary()));
        }
        String bootstrapServers = options.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String kafkaConfig = options.get(KafkaOptions.KAFKA_CONFIG);
        if (bootstrapServers == null && kafkaConfig != null) {
            throw new IllegalArgumentException("--kafka-config " + kafkaConfig + ": is for the brokers of --bootstrap-servers; "
                    + "without them local starts a plaintext broker of its own, which needs no settings");
        }
        Files.createDirectories(out);
        long started = System.nanoTime();
        console.printf(bootstrapServers == null ? "Starting an in-process Kafka broker (KRaft) ...%n"
                : "Using the Kafka cluster at " + bootstrapServers + ", in topics of this run's own ...%n");
        console.flush();
        String run = "facestream-local-" + UUID.randomUUID();
        try (LocalBrokers broker = bootstrapServers == null ? LocalBrokers.inProcess(MAX_MESSAGE_BYTES)
                : LocalBrokers.existing(bootstrapServers, kafkaConfig, run, MAX_MESSAGE_BYTES, console)) {
            KafkaSettings.Builder kafkaBuilder = KafkaSettings.builder()
                    .bootstrapServers(broker.bootstrapServers())
                    .kafkaConfig(kafkaConfig)
                    .deliveryGuarantee(guarantee)
                    .transactionalIdPrefix(run);
            if (bootstrapServers != null) {
                kafkaBuilder.inputTopic(run + ".images").outputTopic(run + ".detections").deadLetterTopic(run + ".dead-letters")
                        .groupId(run);
            }
            KafkaSettings kafka = kafkaBuilder.build();
            broker.createTopics(parallelism, kafka.inputTopic(), kafka.outputTopic(), kafka.deadLetterTopic());
            if (bootstrapServers != null) {
                StartupChecks.checkKafka(kafka);
            }

            Configuration config = new Configuration();
            config.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
            StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism, config);
            FaceStreamJob.configure(env, Duration.ofSeconds(1));
            FaceStreamJob.onKafka(kafka, settings, tracking).build(env);
            JobClient job = env.executeAsync(FaceStreamJob.NAME + " (local)");
            console.printf("Broker at %s; job %s running on a local Flink cluster with parallelism %d%n",
                    broker.bootstrapServers(), job.getJobID(), parallelism);

            console.printf("Sending %d image event(s) to %s; results as they are %s ...%n%n", files.size(), kafka.inputTopic(),
                    guarantee == DeliveryGuarantee.EXACTLY_ONCE ? "committed (every checkpoint)" : "detected");
            console.flush();
            long sendingMillis = System.currentTimeMillis();
            // Results are read while images are still being sent: the job starts on the first ones.
            FutureTask<ImageSender.Outcome> sending = new FutureTask<>(() -> {
                Map<String, Object> producer = new HashMap<>(KafkaClientConfig.merged(kafkaConfig, Map.of()));
                producer.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, MAX_MESSAGE_BYTES);
                try (ImageSender sender = new ImageSender(broker.bootstrapServers(), kafka.inputTopic(), producer)) {
                    return sender.send(toSend(images, files, track, frameInterval, sourceField), InputFormat.AVRO, false, () -> {});
                }
            });
            Thread sender = new Thread(sending, "facestream-local-send");
            sender.setDaemon(true);
            sender.start();
            try (ResultPictures pictures = annotation == Annotate.NONE ? null : new ResultPictures(images, out, annotation.format)) {
                Summary summary = collect(broker.bootstrapServers(), kafkaConfig, kafka, files.size(), sending, pictures, out, wait, console);
                long resultsMillis = System.currentTimeMillis();
                job.cancel().get();
                AnnotationWriter.Outcome drawn = pictures == null ? null : pictures.finish();
                long picturesMillis = drawn == null ? -1 : System.currentTimeMillis();
                summary.print(console, files.size(), found, (System.nanoTime() - started) / 1e9, out, guarantee);
                summary.printRate(console, "first image sent", sendingMillis, resultsMillis, picturesMillis);
                summary.printRate(console, "job's first image (after its start-up)", summary.firstTakenMillis, resultsMillis,
                        picturesMillis);
                printPictures(console, annotation, drawn);
                return summary.missing(files.size()) == 0 ? 0 : 1;
            }
        }
    }

    /**
     * The images as {@code local} sends them: without tracking each on its own, keyed by its event
     * id; with it each folder's as the frames of a source, from now on, {@code frameInterval} apart.
     */
    static Iterator<ImageSender.Outgoing> toSend(Path images, List<ImageFiles.ImageFile> files, boolean track,
                                                 Duration frameInterval, String sourceField) {
        if (!track) {
            return files.stream().map(ImageSender.Outgoing::alone).iterator();
        }
        Instant start = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        return SourceFrames.byFolder(images, files, start, frameInterval).stream()
                .map(frame -> SourceFrames.outgoing(frame, sourceField)).iterator();
    }

    /** Reads the results and dead letters as consume does, writes them as it does, and draws as render does. */
    private static Summary collect(String bootstrap, String kafkaConfig, KafkaSettings kafka, int sent, Future<ImageSender.Outcome> sending,
                                   ResultPictures pictures, Path out, Duration wait, PrintWriter console) throws Exception {
        Summary summary = new Summary();
        long deadline = System.nanoTime() + wait.toNanos();
        CommittedRecords.Stop stop = () -> {
            if (sending.isDone() && !sending.get().failures().isEmpty()) {
                throw new IllegalStateException("could not send the images: " + String.join("; ", sending.get().failures()));
            }
            return System.nanoTime() >= deadline;
        };
        OutputRecords records = new OutputRecords();
        try (CommittedRecords reader = new CommittedRecords(bootstrap, List.of(kafka.outputTopic(), kafka.deadLetterTopic()), null,
                     true, KafkaClientConfig.merged(kafkaConfig, Map.of()));
             Writer detections = Files.newBufferedWriter(out.resolve("detections.jsonl"));
             Writer errors = Files.newBufferedWriter(out.resolve("errors.jsonl"))) {
            reader.forEach(record -> {
                if (record.topic().equals(kafka.outputTopic())) {
                    FaceDetectionResult result = records.result(record.value());
                    long latencyMs = System.currentTimeMillis() - result.getEventTime().toEpochMilli();
                    detections.write(OutputRecords.json(result) + "\n");
                    summary.result(result, latencyMs, console);
                    if (pictures != null) {
                        pictures.draw(result);
                    }
                } else {
                    DeadLetter dead = records.deadLetter(record.value());
                    errors.write(OutputRecords.json(dead) + "\n");
                    summary.error(dead, console);
                }
                console.flush();
            }, true, sent, stop);
        }
        return summary;
    }

    private static void printPictures(PrintWriter console, Annotate annotation, AnnotationWriter.Outcome drawn) {
        if (drawn == null) {
            console.printf("No annotated pictures (--annotate %s).%n", annotation.name().toLowerCase(Locale.ROOT));
        } else {
            console.printf("Annotated pictures: %d %s written, %d not.%n", drawn.written(), annotation.name(), drawn.failed());
            drawn.problems().forEach(problem -> console.printf("  not written: %s%n", problem));
        }
        console.flush();
    }

    /** Counts and latencies of what came back. */
    private static final class Summary {
        private final List<Long> latencies = new ArrayList<>();
        private int results;
        private int errors;
        private int faces;
        /** When the job took its first image: its start-up (tasks, models) is over by then. */
        long firstTakenMillis = Long.MAX_VALUE;

        int done() {
            return results + errors;
        }

        int missing(int sent) {
            return sent - done();
        }

        void result(FaceDetectionResult result, long latencyMs, PrintWriter console) {
            results++;
            faces += result.getFaces().size();
            latencies.add(latencyMs);
            firstTakenMillis = Math.min(firstTakenMillis,
                    result.getProcessedAt().toEpochMilli() - result.getTimings().getTotalMicros() / 1000);
            float best = (float) result.getFaces().stream().mapToDouble(f -> f.getScore()).max().orElse(Double.NaN);
            console.printf("  %-28s %2d face(s)  best score %s  latency %5d ms (detection %d ms)%n",
                    result.getEventId(), result.getFaces().size(), Float.isNaN(best) ? "  -   " : String.format("%.4f", best),
                    latencyMs, result.getTimings().getTotalMicros() / 1000);
        }

        void error(DeadLetter dead, PrintWriter console) {
            errors++;
            console.printf("  %-28s ERROR %s: %s%n", dead.getEventId(), dead.getReason(), dead.getMessage());
        }

        void print(PrintWriter console, int sent, ImageFiles.Found found, double seconds, Path out, DeliveryGuarantee guarantee) {
            List<Long> sorted = latencies.stream().sorted().toList();
            console.printf("%nSummary: %d image(s) sent, %d result(s) with %d face(s), %d error(s), %d missing%s; %.1f s in all.%n",
                    sent, results, faces, errors, missing(sent),
                    found.skipped().isEmpty() ? "" : ", " + found.skippedSummary(), seconds);
            if (!sorted.isEmpty()) {
                console.printf("Latency from event time to visible result: median %d ms, max %d ms%s.%n",
                        sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1),
                        guarantee == DeliveryGuarantee.EXACTLY_ONCE ? " (includes the 1 s checkpoint interval of exactly-once delivery)" : "");
            }
            console.printf("Wrote %s and %s.%n", out.resolve("detections.jsonl"), out.resolve("errors.jsonl"));
        }

        /** Images per second from {@code fromMillis}; to the last picture too where pictures were drawn (not -1). */
        void printRate(PrintWriter console, String from, long fromMillis, long resultsMillis, long picturesMillis) {
            if (done() == 0 || fromMillis == Long.MAX_VALUE) {
                return;
            }
            double seconds = (resultsMillis - fromMillis) / 1e3;
            console.printf(Locale.ROOT, "From the %s: %d image(s) in %.1f s (%.1f images/s) to the last result", from, done(),
                    seconds, done() / seconds);
            if (picturesMillis != -1) {
                double withPictures = (picturesMillis - fromMillis) / 1e3;
                console.printf(Locale.ROOT, ", %.1f s (%.1f images/s) to the last picture", withPictures, done() / withPictures);
            }
            console.printf(".%n");
        }
    }
}
