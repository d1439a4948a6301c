package io.facestream.cli;

import io.facestream.job.InputFormat;
import io.facestream.job.KafkaOptions;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Sends image files to the job's input topic. */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Send image files, or every image in folders (searched recursively), to the input topic as image events.",
            "avro: ImageEvent records carrying the image bytes, or with --reference the image's file: URI for the job to read "
                + "(start the job with --image-uri-allow covering the folder); raw: the image bytes themselves. "
                + "Keys and event ids are the files' paths under the folders given (a file given directly: its name)."})
final class ProduceCommand implements Callable<Integer>, Flags.Generated {

    private static final int LISTED_FAILURES = 10;
    private static final int ANSWER_TIMEOUT_MS = 15000;

    static final List<Flags.Flag> FLAGS = List.of(FlagSets.BOOTSTRAP_SERVERS.asRequired(), FlagSets.INPUT_TOPIC, FlagSets.INPUT_FORMAT);

    @Option(names = "--images", required = true, arity = "1..*", paramLabel = "FILE_OR_DIR",
            description = "Image files, or folders searched recursively for jpg, png, bmp, webp, tiff and pnm files (repeatable).")
    List<Path> images;

    @Option(names = "--reference", description = "Send each image's absolute file: URI (imageUri) instead of its bytes, for images "
            + "over Kafka's message limit; every TaskManager must see the same path. Avro only. Default: off (bytes).")
    boolean reference;

    @Option(names = "--producer-property", paramLabel = "KEY=VALUE",
            description = "Extra Kafka producer property (repeatable), e.g. max.request.size=16777216 for large images. Default: none.")
    Map<String, String> producerProperties = new LinkedHashMap<>();

    @Spec
    CommandSpec spec;

    @Override
    public List<Flags.Flag> flags() {
        return FLAGS;
    }

    /** The Kafka options given (brokers, topic, format). */
    Configuration options() {
        return Flags.given(spec, FLAGS);
    }

    @Override
    public Integer call() throws Exception {
        FaceStreamCli.quietLogging();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Configuration options = options();
        InputFormat format = options.get(KafkaOptions.INPUT_FORMAT);
        String bootstrapServers = options.get(KafkaOptions.BOOTSTRAP_SERVERS);
        String inputTopic = options.get(KafkaOptions.INPUT_TOPIC);
        if (reference && format == InputFormat.RAW) {
            throw new IllegalArgumentException("--reference needs --input-format avro: raw records are the image bytes themselves");
        }
        List<ImageFiles.ImageFile> files = ImageFiles.collect(images, true);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("--images " + images + ": no image files (jpg, png, bmp, webp, tiff, pnm) found");
        }
        Map<String, Object> config = new HashMap<>(producerProperties);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, ANSWER_TIMEOUT_MS);
        AtomicLong sent = new AtomicLong();
        AtomicLong sentBytes = new AtomicLong();
        Queue<String> failures = new ConcurrentLinkedQueue<>();
        double seconds;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer())) {
            try {
                producer.partitionsFor(inputTopic);
            } catch (KafkaException e) {
                throw new IllegalArgumentException("Kafka at " + bootstrapServers + " did not answer, or has no topic " + inputTopic
                        + " (" + e.getMessage() + "). Check --bootstrap-servers and --input-topic; the topics command creates the job's topics.");
            }
            try (Progress progress = Progress.start("produce " + inputTopic, files.size(), "images", err)) {
                for (ImageFiles.ImageFile file : files) {
                    ProducerRecord<byte[], byte[]> record;
                    try {
                        record = ImageRecords.of(inputTopic, file, format, reference);
                    } catch (java.io.IOException e) {
                        failures.add(file.name() + ": could not read the file (" + e.getMessage() + ")");
                        progress.step();
                        continue;
                    }
                    int size = record.value().length;
                    producer.send(record, (metadata, e) -> {
                        if (e == null) {
                            sent.incrementAndGet();
                            sentBytes.addAndGet(size);
                        } else {
                            failures.add(file.name() + ": " + why(e));
                        }
                        progress.step();
                    });
                }
                producer.flush();
                seconds = progress.seconds();
            }
        }
        failures.stream().limit(LISTED_FAILURES).forEach(failure -> err.println("  not sent: " + failure));
        if (failures.size() > LISTED_FAILURES) {
            err.printf("  ... and %d more not sent%n", failures.size() - LISTED_FAILURES);
        }
        err.flush();
        out.printf(Locale.ROOT, "Sent %d of %d image(s) to %s (%s%s, %.1f MB) in %s; %d failed.%n", sent.get(), files.size(),
                inputTopic, format.name().toLowerCase(Locale.ROOT), reference ? " references" : "", sentBytes.get() / 1e6,
                Progress.rate(sent.get(), seconds), failures.size());
        out.flush();
        return failures.isEmpty() ? 0 : 1;
    }

    private static String why(Exception e) {
        if (e instanceof RecordTooLargeException) {
            return "larger than Kafka's message limit (" + e.getMessage() + "). Send it with --reference, or raise the producer's "
                    + "max.request.size (--producer-property) and the topic's max.message.bytes together";
        }
        return e.toString();
    }
}
