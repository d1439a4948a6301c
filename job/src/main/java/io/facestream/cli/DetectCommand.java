package io.facestream.cli;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.facestream.config.OptionNames;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.ImageDetections;
import io.facestream.detect.ImageRejectedException;
import io.facestream.detect.ImageTask;
import io.facestream.detect.InferencePool;
import io.facestream.output.DetectionJson;
import io.facestream.output.WiderFaceWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Offline detection on image files with the job's detector, for checks and evaluations. */
@Command(name = "detect", mixinStandardHelpOptions = true,
        description = "Detect faces in image files or folders (searched recursively) and write jsonl or WIDER FACE results.")
final class DetectCommand implements Callable<Integer>, Flags.Generated {

    enum Format { JSONL, WIDER }

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "DIR_OR_FILE",
            description = "Image files or folders (repeatable).")
    List<Path> inputs;

    @Option(names = "--output", required = true, paramLabel = "DIR", description = "Where to write the results.")
    Path output;

    @Option(names = "--format", paramLabel = "jsonl|wider", defaultValue = "jsonl",
            description = "jsonl: DIR/detections.jsonl, one line per image; wider: DIR/<event>/<name>.txt in the WIDER FACE submission layout. Default: ${DEFAULT-VALUE}.")
    Format format;

    @Option(names = "--threads", paramLabel = "N",
            description = "Images detected in parallel, each on its own inference thread with one ONNX Runtime thread. "
                    + "Default: the available processors (${DEFAULT-VALUE} here).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Override
    public List<Flags.Flag> flags() {
        return FlagSets.DETECTOR;
    }

    @Spec
    CommandSpec spec;

    private record Outcome(ImageDetections detections, String reason, String message) {}

    @Override
    public Integer call() throws Exception {
        FaceStreamCli.quietLogging();
        Format chosen = format;
        if (threads < 1) {
            throw new IllegalArgumentException("--threads " + threads + ": must be at least 1");
        }
        var settings = DetectorSettings.from(Flags.given(spec, FlagSets.DETECTOR), OptionNames.FLAGS);
        List<ImageFiles.ImageFile> images = ImageFiles.collect(inputs, true);
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no image files (jpg, png, bmp, webp, tiff, pnm) found in " + inputs);
        }
        Files.createDirectories(output);
        PrintWriter out = spec.commandLine().getOut();
        Gson gson = new Gson();
        WiderFaceWriter wider = new WiderFaceWriter(output);
        long started = System.nanoTime();
        int faces = 0;
        int failed = 0;
        List<Long> detectionNanos = new ArrayList<>();
        // Every image is handed over at once (a task reads its file only when a thread takes it), without a deadline.
        try (InferencePool pool = InferencePool.load(settings, threads, images.size(), "facestream-detect");
             Writer jsonl = chosen == Format.JSONL ? Files.newBufferedWriter(output.resolve("detections.jsonl")) : Writer.nullWriter();
             Writer errors = Files.newBufferedWriter(output.resolve("errors.jsonl"))) {
            out.printf("Detecting faces in %d image(s) with %s, %d thread(s)%n", images.size(), pool.detector().modelName(), threads);
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (ImageFiles.ImageFile image : images) {
                outcomes.add(detect(pool, image.path()));
            }
            int progressStep = Math.max(1, images.size() / 20);
            for (int i = 0; i < images.size(); i++) {
                ImageFiles.ImageFile image = images.get(i);
                Outcome outcome = outcomes.get(i).get();
                if (outcome.detections() == null) {
                    failed++;
                    out.printf("  %s: not processed: %s: %s%n", image.name(), outcome.reason(), outcome.message());
                    JsonObject error = new JsonObject();
                    error.addProperty("image", image.name());
                    error.addProperty("reason", outcome.reason());
                    error.addProperty("message", outcome.message());
                    errors.write(gson.toJson(error) + "\n");
                } else {
                    ImageDetections d = outcome.detections();
                    faces += d.faces().size();
                    detectionNanos.add(d.decodeNanos() + d.preprocessNanos() + d.inferenceNanos() + d.postprocessNanos());
                    if (chosen == Format.JSONL) {
                        jsonl.write(gson.toJson(DetectionJson.image(image.name(), d.width(), d.height(), d.faces())) + "\n");
                    } else {
                        wider.write(image.relative(), d.faces());
                    }
                }
                if ((i + 1) % progressStep == 0 || i + 1 == images.size()) {
                    out.printf("  [%d/%d] %d face(s) so far%n", i + 1, images.size(), faces);
                }
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        out.printf("Done: %d image(s), %d face(s), %d not processed, %.1f s (%.1f images/s). Results in %s%n",
                images.size(), faces, failed, seconds, images.size() / seconds, output.toAbsolutePath());
        if (!detectionNanos.isEmpty()) {
            List<Long> sorted = detectionNanos.stream().sorted().toList();
            out.printf("Per image (decode + pre-processing + model + post-processing): median %.1f ms, max %.1f ms%n",
                    sorted.get(sorted.size() / 2) / 1e6, sorted.get(sorted.size() - 1) / 1e6);
        }
        return 0;
    }

    private static Future<Outcome> detect(InferencePool pool, Path path) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        pool.detect(new ImageTask() {
            @Override
            public byte[] encodedImage() throws IOException {
                return Files.readAllBytes(path);
            }

            @Override
            public String contentType() {
                return null;
            }

            @Override
            public void detected(ImageDetections detections, long startedNanos) {
                outcome.complete(new Outcome(detections, null, null));
            }

            @Override
            public void failed(Throwable failure, long startedNanos) {
                outcome.complete(failure instanceof ImageRejectedException rejected
                        ? new Outcome(null, rejected.reason().name(), rejected.getMessage())
                        : failure instanceof IOException
                        ? new Outcome(null, "UNREADABLE_FILE", "could not read the file: " + failure.getMessage())
                        : new Outcome(null, "INFERENCE_FAILED", "detection failed unexpectedly: " + failure));
            }
        });
        return outcome;
    }
}
