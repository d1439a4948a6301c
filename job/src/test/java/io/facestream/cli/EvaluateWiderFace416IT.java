package io.facestream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.facestream.eval.EvalTestFiles;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default model's WIDER FACE average precision on the 40-image subset in
 * {@code ../shared/eval/widerface416}: {@code detect --format wider --score-threshold 0.02}, then
 * {@code evaluate}. Skipped where that research-only folder is absent.
 */
@Timeout(120)
class EvaluateWiderFace416IT {

    /**
     * Easy, medium and hard AP (%) of the default model on this subset: the independent reference
     * detections scored by WIDER FACE's official evaluation.py (issue 13 corrected issue 3's 78.22 /
     * 64.20, which came from an evaluator that skipped, per level, the images without a face of that
     * level, and so left their false alarms uncounted).
     */
    private static final double REFERENCE_EASY = 77.37;
    private static final double REFERENCE_MEDIUM = 64.19;
    private static final double REFERENCE_HARD = 39.01;

    @TempDir
    Path tmp;


    @Test
    void theNpmModelInFp32MatchesTheReferenceAveragePrecision() {
        Path data = EvalTestFiles.widerFace416();
        Path pred = tmp.resolve("pred");

        String detect = CliRun.ok("detect", "--input", data.resolve("images").toString(), "--output", pred.toString(),
                "--format", "wider", "--score-threshold", "0.02", "--threads", "2", "--precision", "fp32");
        assertThat(detect).contains("Done: 40 image(s)").contains("0 not processed");
        String evaluate = CliRun.ok("evaluate", "--gt", data.resolve("gt.jsonl").toString(), "--pred", pred.toString());

        assertThat(evaluate).contains("40 image(s), 851 face(s)").contains("40 file(s)").contains("Missing prediction files: 0");
        Matcher summary = Pattern.compile("easy (\\d+\\.\\d\\d) {2}medium (\\d+\\.\\d\\d) {2}hard (\\d+\\.\\d\\d)").matcher(evaluate);
        assertThat(summary.find()).as(evaluate).isTrue();
        double easy = Double.parseDouble(summary.group(1));
        double medium = Double.parseDouble(summary.group(2));
        double hard = Double.parseDouble(summary.group(3));
        assertThat(easy).as("easy AP\n" + evaluate).isCloseTo(REFERENCE_EASY, within(0.5));
        assertThat(medium).as("medium AP\n" + evaluate).isCloseTo(REFERENCE_MEDIUM, within(0.5));
        assertThat(hard).as("hard AP\n" + evaluate).isCloseTo(REFERENCE_HARD, within(0.5));
    }

    /** The build's int8 model (the default on a CPU) loses at most one AP point to fp32 at every level. */
    @Test
    void int8StaysWithinOnePointOfFp32AtEveryLevel() {
        double[] fp32 = averagePrecision("fp32");
        double[] int8 = averagePrecision("int8");
        String[] levels = {"easy", "medium", "hard"};
        for (int level = 0; level < 3; level++) {
            assertThat(int8[level]).as("%s AP int8 vs fp32 %.2f", levels[level], fp32[level]).isCloseTo(fp32[level], within(1.0));
        }
    }

    /** Easy, medium and hard AP of the default model at a precision. */
    private double[] averagePrecision(String precision) {
        Path data = EvalTestFiles.widerFace416();
        Path pred = tmp.resolve("pred-" + precision);
        String detect = CliRun.ok("detect", "--input", data.resolve("images").toString(), "--output", pred.toString(),
                "--format", "wider", "--score-threshold", "0.02", "--threads", "2", "--precision", precision);
        assertThat(detect).contains("Done: 40 image(s)").contains("0 not processed");
        String evaluate = CliRun.ok("evaluate", "--gt", data.resolve("gt.jsonl").toString(), "--pred", pred.toString());
        Matcher summary = Pattern.compile("easy (\\d+\\.\\d\\d) {2}medium (\\d+\\.\\d\\d) {2}hard (\\d+\\.\\d\\d)").matcher(evaluate);
        assertThat(summary.find()).as(evaluate).isTrue();
        System.out.printf("%s: %s%n", precision, summary.group());
        return new double[] {Double.parseDouble(summary.group(1)), Double.parseDouble(summary.group(2)),
            Double.parseDouble(summary.group(3))};
    }
}
