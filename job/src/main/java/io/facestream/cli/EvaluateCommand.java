package io.facestream.cli;

import io.facestream.eval.GroundTruth;
import io.facestream.eval.Level;
import io.facestream.eval.Predictions;
import io.facestream.eval.WiderFaceEvaluation;
import io.facestream.eval.WiderFaceEvaluation.LevelResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;

/** WIDER FACE average precision of detections written by {@code detect --format wider}. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = {
            "Compute WIDER FACE average precision (easy, medium, hard) of detections in the WIDER submission layout,"
                + " as the official evaluation does (min-max normalised scores, 1000 thresholds, IoU with the +1-pixel"
                + " convention, faces outside a level's keep-list ignored, VOC AP).",
            "Ground truth: gt.jsonl (a header line with \"columns\", then one {\"image\", \"faces\"} line per image;"
                + " the in_easy/in_medium/in_hard columns are the keep-lists), or the official text layout"
                + " wider_face_val_bbx_gt.txt with keep-lists from --easy/--medium/--hard.",
            "Without keep-lists every face counts at every level, and the three figures are the same."})
final class EvaluateCommand extends GeneratedCommand {

    private static final int MISSING_LISTED = 10;

    static final List<Flags.Flag> FLAGS = List.of(
            Flags.value(ToolOptions.GROUND_TRUTH, "FILE").asRequired(),
            Flags.value(ToolOptions.PREDICTIONS, "DIR").asRequired(),
            Flags.value(ToolOptions.IOU, "IOU"),
            Flags.value(ToolOptions.EASY, "FILE"),
            Flags.value(ToolOptions.MEDIUM, "FILE"),
            Flags.value(ToolOptions.HARD, "FILE"));

    EvaluateCommand() {
        super(FLAGS, Logging.AS_CONFIGURED);
    }

    @Override
    int run(Configuration options, PrintWriter out, PrintWriter err) throws Exception {
        Path gt = Path.of(options.get(ToolOptions.GROUND_TRUTH));
        Path pred = Path.of(options.get(ToolOptions.PREDICTIONS));
        double iou = options.get(ToolOptions.IOU);
        if (!(iou > 0 && iou <= 1)) {
            throw new IllegalArgumentException("--iou " + iou + ": must be above 0 and at most 1");
        }
        Map<Level, Path> keepLists = new EnumMap<>(Level.class);
        options.getOptional(ToolOptions.EASY).ifPresent(file -> keepLists.put(Level.EASY, Path.of(file)));
        options.getOptional(ToolOptions.MEDIUM).ifPresent(file -> keepLists.put(Level.MEDIUM, Path.of(file)));
        options.getOptional(ToolOptions.HARD).ifPresent(file -> keepLists.put(Level.HARD, Path.of(file)));
        if (!keepLists.isEmpty() && keepLists.size() != Level.values().length) {
            throw new IllegalArgumentException("--easy, --medium and --hard: give all three keep-lists or none");
        }
        GroundTruth groundTruth = GroundTruth.read(gt, keepLists);
        Predictions predictions = Predictions.read(pred, groundTruth);
        WiderFaceEvaluation.Result result = WiderFaceEvaluation.evaluate(groundTruth, predictions, iou);

        out.printf("Ground truth: %s (%s layout), %d image(s), %d face(s)%n", gt, groundTruth.layout(),
                groundTruth.images().size(), groundTruth.faces());
        if (groundTruth.hasKeepLists()) {
            out.printf("Keep-lists: %s%n", groundTruth.keepListSource());
        } else {
            out.println("Keep-lists: none, so every face counts at every level (the three figures are the same)");
        }
        out.printf("Predictions: %s, %d file(s), %d detection(s)", pred, predictions.files(), predictions.detections());
        if (predictions.detections() > 0) {
            out.printf(Locale.ROOT, ", scores %.5f to %.5f (normalised to 0..1 over the run)", result.minScore(), result.maxScore());
        }
        out.println();
        List<String> missing = predictions.missing();
        out.printf("Missing prediction files: %d%s%n", missing.size(), missing.isEmpty() ? "" : " (counted as images without detections)");
        for (String image : missing.subList(0, Math.min(MISSING_LISTED, missing.size()))) {
            out.printf("  %s%n", image);
        }
        if (missing.size() > MISSING_LISTED) {
            out.printf("  ... and %d more%n", missing.size() - MISSING_LISTED);
        }
        if (predictions.strayFiles() > 0) {
            out.printf("Prediction files for images not in the ground truth: %d (not read)%n", predictions.strayFiles());
        }
        out.printf(Locale.ROOT, "IoU threshold: %.2f%n", iou);
        out.printf("%-8s %7s %8s %7s%n", "level", "AP (%)", "images", "faces");
        StringBuilder summary = new StringBuilder();
        for (LevelResult level : result.levels()) {
            out.printf(Locale.ROOT, "%-8s %7s %8d %7d%n", level.level().label(), percent(level.averagePrecision()),
                    level.images(), level.faces());
            summary.append(summary.length() == 0 ? "" : "  ").append(level.level().label()).append(' ')
                    .append(percent(level.averagePrecision()));
        }
        out.println(summary);
        out.flush();
        return 0;
    }

    private static String percent(double ap) {
        return Double.isNaN(ap) ? "n/a" : String.format(Locale.ROOT, "%.2f", 100 * ap);
    }
}
