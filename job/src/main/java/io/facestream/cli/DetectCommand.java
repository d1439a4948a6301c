package io.facestream.cli;

import ai.djl.translate.TranslateException;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.ModelInfo;
import io.facestream.detect.Deadline;
import io.facestream.config.OptionNames;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceImages;
import io.facestream.detect.FaceImagesSettings;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.InferencePool;
import io.facestream.job.DeadLetterReasons;
import io.facestream.job.DeadLetters;
import io.facestream.job.Results;
import io.facestream.job.StartupChecks;
import io.facestream.output.OutputRecords;
import io.facestream.output.WiderFaceWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;

/** Offline detection on image files with the job's detector, for checks and evaluations. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Detect faces in image files or folders (searched recursively) and write jsonl or WIDER FACE results.")
final class DetectCommand extends GeneratedCommand {

    enum Format { JSONL, WIDER }

    static final List<Flags.Flag> FLAGS = FlagSets.concat(List.of(
            Flags.list(ToolOptions.INPUT, "DIR_OR_FILE").oneOrMore().asRequired(),
            Flags.value(ToolOptions.OUTPUT, "DIR").asRequired(),
            Flags.choice(ToolOptions.FORMAT, Format.class),
            Flags.value(ToolOptions.THREADS, "N"),
            Flags.value(ToolOptions.CROPS, "DIR"),
            Flags.value(ToolOptions.ANONYMIZE, "DIR")), FlagSets.DETECTOR, FlagSets.FACE_IMAGES);

    DetectCommand() {
        super(FLAGS, Logging.QUIET);
    }

    /** An image's detections, or why there are none; the times are {@link System#nanoTime()}. */
    private record Outcome(ImageDetections detections, DeadLetterReason reason, String message, long startedNanos,
                           long finishedNanos) {}

    @Override
    int run(Configuration options, PrintWriter out, PrintWriter err) throws Exception {
        List<Path> inputs = options.get(ToolOptions.INPUT).stream().map(Path::of).toList();
        Path output = Path.of(options.get(ToolOptions.OUTPUT));
        Format chosen = options.get(ToolOptions.FORMAT);
        int threads = ToolOptions.threads(options);
        if (threads < 1) {
            throw new IllegalArgumentException("--threads " + threads + ": must be at least 1");
        }
        var settings = DetectorSettings.from(options, OptionNames.FLAGS);
        Path cropsDir = options.getOptional(ToolOptions.CROPS).map(Path::of).orElse(null);
        Path anonymizedDir = options.getOptional(ToolOptions.ANONYMIZE).map(Path::of).orElse(null);
        FaceImagesSettings faceImages = FaceImagesSettings.from(options, OptionNames.FLAGS)
                .withOutputs(cropsDir != null, anonymizedDir != null);
        ImageFiles.Found found = ImageFiles.find(inputs, true);
        List<ImageFiles.ImageFile> images = found.images();
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no image files (" + ImageFiles.EXTENSIONS_TEXT + ") found in " + inputs
                    + (found.skipped().isEmpty() ? "" : ", " + found.skippedSummary()) + "; name a file to read it whatever its name");
        }
        InferencePool loaded = loadPool(settings, faceImages, threads, images.size());
        Files.createDirectories(output);
        WiderFaceWriter wider = new WiderFaceWriter(output);
        long started = System.nanoTime();
        int faces = 0;
        int failed = 0;
        int crops = 0;
        int anonymized = 0;
        List<Long> detectionNanos = new ArrayList<>();
        // Every image is handed over at once (a task reads its file only when a thread takes it), without a deadline.
        try (InferencePool pool = loaded;
             Writer jsonl = chosen == Format.JSONL ? Files.newBufferedWriter(output.resolve("detections.jsonl")) : Writer.nullWriter();
             Writer errors = Files.newBufferedWriter(output.resolve("errors.jsonl"))) {
            out.printf("Detecting faces in %d image(s) with %s, %d thread(s)%n", images.size(), pool.detector().modelName(), threads);
            ModelInfo model = Results.model(pool.detector());
            Instant handedOver = Instant.now();
            long handedOverNanos = System.nanoTime();
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (ImageFiles.ImageFile image : images) {
                outcomes.add(submit(pool, image.path()));
            }
            int progressStep = Math.max(1, images.size() / 20);
            for (int i = 0; i < images.size(); i++) {
                ImageFiles.ImageFile image = images.get(i);
                Outcome outcome = outcomes.get(i).get();
                if (outcome.detections() == null) {
                    failed++;
                    out.printf("  %s: not processed: %s: %s%n", image.name(), outcome.reason(), outcome.message());
                    errors.write(OutputRecords.json(DeadLetters.withoutPayload(image.name(), outcome.reason(), outcome.message(),
                            sizeOrZero(image.path()))) + "\n");
                } else {
                    ImageDetections d = outcome.detections();
                    faces += d.faces().size();
                    detectionNanos.add(d.decodeNanos() + d.preprocessNanos() + d.inferenceNanos() + d.postprocessNanos());
                    if (chosen == Format.JSONL) {
                        // Each image's event is its hand-over to the pool: queueMicros is its wait for a thread.
                        jsonl.write(OutputRecords.json(Results.of(image.name(), handedOver, null, model, d,
                                outcome.startedNanos() - handedOverNanos, outcome.finishedNanos() - handedOverNanos)) + "\n");
                    } else {
                        wider.write(image.relative(), d.faces());
                    }
                    crops += writeCrops(cropsDir, image, d.images());
                    anonymized += writeAnonymized(anonymizedDir, image, d.images());
                }
                if ((i + 1) % progressStep == 0 || i + 1 == images.size()) {
                    out.printf("  [%d/%d] %d face(s) so far%n", i + 1, images.size(), faces);
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf("Done: %d image(s), %d face(s), %d not processed, %s%.1f s (%.1f images/s). Results in %s%n",
                images.size(), faces, failed, found.skipped().isEmpty() ? "" : found.skippedSummary() + ", ", seconds,
                images.size() / seconds, output.toAbsolutePath());
        if (cropsDir != null) {
            out.printf("Face crops: %d in %s%s%n", crops, cropsDir.toAbsolutePath(), skippedCrops(crops, faces, faceImages));
        }
        if (anonymizedDir != null) {
            out.printf("Anonymized images: %d in %s (none for the %d not processed)%n", anonymized,
                    anonymizedDir.toAbsolutePath(), failed);
        }
        if (!detectionNanos.isEmpty()) {
            List<Long> sorted = detectionNanos.stream().sorted().toList();
            out.printf("Per image (decode + pre-processing + model + post-processing): median %.1f ms, max %.1f ms%n",
                    sorted.get(sorted.size() / 2) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
        }
        return 0;
    }

    /**
     * The pool, its model loaded and run once on a blank image: a file that is no model, or a model
     * its description does not fit, stops the command with the one line {@code job} and {@code local} print.
     */
    private static InferencePool loadPool(DetectorSettings settings, FaceImagesSettings faceImages, int threads, int capacity) {
        InferencePool pool = null;
        try {
            pool = InferencePool.load(settings, faceImages, threads, capacity, "facestream-detect");
            pool.detector().selfTest();
            return pool;
        } catch (IOException | TranslateException | RuntimeException e) {
            if (pool != null) {
                pool.close();
            }
            throw StartupChecks.unusableModel(settings, e);
        }
    }

    private static String skippedCrops(int crops, int faces, FaceImagesSettings faceImages) {
        if (crops == faces) {
            return "";
        }
        return String.format(" (%d face(s) without one: below --crop-min-score %s, or landmarks that fit no alignment)",
                faces - crops, faceImages.cropMinScore());
    }

    /** Writes each crop as DIR/<image path>.face<N>.jpg; returns how many. */
    private static int writeCrops(Path dir, ImageFiles.ImageFile image, FaceImages images) throws IOException {
        if (dir == null) {
            return 0;
        }
        for (FaceImages.Crop crop : images.crops()) {
            write(dir.resolve(image.relative() + ".face" + crop.faceIndex() + ".jpg"), crop.face().jpeg());
        }
        return images.crops().size();
    }

    /** Writes the anonymized image as DIR/<image path>.jpg or .png; returns 1, or 0 when there is none. */
    private static int writeAnonymized(Path dir, ImageFiles.ImageFile image, FaceImages images) throws IOException {
        if (dir == null || images.anonymized() == null) {
            return 0;
        }
        FaceImages.Anonymized anonymized = images.anonymized();
        write(dir.resolve(image.relative() + "." + anonymized.format().extension), anonymized.bytes());
        return 1;
    }

    private static void write(Path file, byte[] bytes) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, bytes);
    }

    /** Reads the file on the inference thread that takes it; that moment ends the image's wait for a thread. */
    private static CompletableFuture<Outcome> submit(InferencePool pool, Path path) {
        AtomicLong startedNanos = new AtomicLong();
        return pool.submit(() -> {
            startedNanos.set(System.nanoTime());
            return Files.readAllBytes(path);
        }, null, Deadline.NONE).handle((detections, failure) -> {
            long now = System.nanoTime();
            long started = startedNanos.get() == 0 ? now : startedNanos.get();
            if (failure == null) {
                return new Outcome(detections, null, null, started, now);
            }
            // The pool's own future: what reading the file threw arrives as itself, as in the job's function.
            if (failure instanceof IOException) {
                // The dead letters' reason for an image whose location could not be read.
                return new Outcome(null, DeadLetterReason.IMAGE_URI_UNREADABLE, "could not read the file: " + failure.getMessage(),
                        started, now);
            }
            ImageRejectedException rejected = ImageRejectedException.classify(failure);
            return new Outcome(null, DeadLetterReasons.of(rejected.reason()), rejected.getMessage(), started, now);
        });
    }

    private static long sizeOrZero(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
