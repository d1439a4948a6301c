package io.facestream.eval;

import java.util.ArrayList;
import java.util.List;

/**
 * Average precision on WIDER FACE, computed as the official evaluation does ({@code wider_eval.m}
 * and its widely used Python port {@code evaluation.py}):
 * <ol>
 *   <li>Scores are min-max normalised over all detections of the run: {@code (s - min) / (max - min)}.
 *       Where every score is the same the official code divides 0 by 0 and keeps no detection at
 *       all; here every normalised score is then 1.</li>
 *   <li>Per level and image, boxes become {@code x1 y1 x2 y2} with {@code x2 = x + w}, and each
 *       detection, highest score first, is matched to the ground-truth face of highest IoU
 *       ({@link #iou}, +1-pixel convention; the first face on a tie). At IoU of at least the
 *       threshold: a face outside the level's keep-list marks the detection as ignored (it is then
 *       neither a true nor a false positive) and the face as never recalled; a kept face not yet
 *       recalled becomes recalled. After each detection its running recall count is noted.</li>
 *   <li>For 1000 thresholds {@code 1 - (t+1)/1000}, each image contributes the number of its
 *       non-ignored detections down to the last one scoring at least the threshold, and the recall
 *       count there. Images without detections or without faces contribute nothing, but their kept
 *       faces still count.</li>
 *   <li>Per threshold, precision = recalled faces / detections and recall = recalled faces / kept
 *       faces, over the whole set (precision counts each recalled face once, however many
 *       detections hit it). Where no detection reaches a threshold the official code gets 0/0 = NaN;
 *       here precision is 0. That changes nothing: recall is 0 there too, and the AP sum never
 *       uses a precision at recall 0.</li>
 *   <li>AP is the VOC area under that curve: precision made non-increasing from the right, summed
 *       over the steps in recall.</li>
 * </ol>
 */
public final class WiderFaceEvaluation {

    /** Score thresholds of the precision-recall curve, as in the official code. */
    public static final int THRESHOLDS = 1000;

    private WiderFaceEvaluation() {}

    /**
     * One level's outcome.
     *
     * @param averagePrecision in [0, 1]; NaN where the level has no kept face
     * @param images images with at least one face in the level's keep-list
     * @param faces faces in the level's keep-list, the denominator of recall
     * @param precision per threshold {@code 1 - (t+1)/1000}
     * @param recall per threshold {@code 1 - (t+1)/1000}
     */
    public record LevelResult(Level level, double averagePrecision, int images, int faces,
                              double[] precision, double[] recall) {}

    /** The outcome of one evaluation: one entry per level, in the order easy, medium, hard. */
    public record Result(List<LevelResult> levels, double minScore, double maxScore) {
        public LevelResult level(Level level) {
            return levels.get(level.ordinal());
        }
    }

    /** Detection-to-face matching of one image, see {@link #matchImage}. */
    record ImageMatch(int[] predRecall, int[] proposal) {}

    /**
     * Evaluates the detections against the ground truth at every level.
     *
     * @param iouThreshold the least IoU at which a detection finds its face, 0.5 in the official protocol
     */
    public static Result evaluate(GroundTruth groundTruth, Predictions predictions, double iouThreshold) {
        if (!(iouThreshold > 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException("IoU threshold " + iouThreshold + ": must be above 0 and at most 1");
        }
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (GroundTruthImage image : groundTruth.images()) {
            for (double[] detection : predictions.of(image.image())) {
                min = Math.min(min, detection[4]);
                max = Math.max(max, detection[4]);
            }
        }
        List<LevelResult> levels = new ArrayList<>();
        for (Level level : Level.values()) {
            long[][] prCurve = new long[THRESHOLDS][2];
            int faces = 0;
            int images = 0;
            for (GroundTruthImage image : groundTruth.images()) {
                boolean[] keep = image.keep().get(level);
                int kept = image.keptFaces(level);
                faces += kept;
                if (kept > 0) {
                    images++;
                }
                double[][] detections = predictions.of(image.image());
                if (image.boxes().length == 0 || detections.length == 0) {
                    continue;
                }
                double[][] pred = new double[detections.length][];
                double[] scores = new double[detections.length];
                for (int i = 0; i < detections.length; i++) {
                    pred[i] = corners(detections[i]);
                    scores[i] = normalise(detections[i][4], min, max);
                }
                double[][] gt = new double[image.boxes().length][];
                for (int i = 0; i < gt.length; i++) {
                    gt[i] = corners(image.boxes()[i]);
                }
                ImageMatch match = matchImage(pred, gt, keep, iouThreshold);
                long[][] info = imagePrInfo(scores, match.proposal(), match.predRecall());
                for (int t = 0; t < THRESHOLDS; t++) {
                    prCurve[t][0] += info[t][0];
                    prCurve[t][1] += info[t][1];
                }
            }
            double[] precision = new double[THRESHOLDS];
            double[] recall = new double[THRESHOLDS];
            for (int t = 0; t < THRESHOLDS; t++) {
                precision[t] = prCurve[t][0] == 0 ? 0 : (double) prCurve[t][1] / prCurve[t][0];
                recall[t] = faces == 0 ? Double.NaN : (double) prCurve[t][1] / faces;
            }
            double ap = faces == 0 ? Double.NaN : vocAp(recall, precision);
            levels.add(new LevelResult(level, ap, images, faces, precision, recall));
        }
        return new Result(levels, min, max);
    }

    /** {@code (s - min) / (max - min)}; 1 where every score of the run is the same. */
    static double normalise(double score, double min, double max) {
        return max > min ? (score - min) / (max - min) : 1.0;
    }

    /** {@code {x, y, w, h, ...}} to {@code {x1, y1, x2, y2}} with {@code x2 = x + w}, {@code y2 = y + h}. */
    static double[] corners(double[] box) {
        return new double[] {box[0], box[1], box[0] + box[2], box[1] + box[3]};
    }

    /**
     * Intersection over union of two {@code {x1, y1, x2, y2}} boxes with the +1-pixel convention of
     * the official code: a box spans {@code x2 - x1 + 1} by {@code y2 - y1 + 1}; 0 where they do not overlap.
     */
    public static double iou(double[] a, double[] b) {
        double iw = Math.min(a[2], b[2]) - Math.max(a[0], b[0]) + 1;
        if (iw <= 0) {
            return 0;
        }
        double ih = Math.min(a[3], b[3]) - Math.max(a[1], b[1]) + 1;
        if (ih <= 0) {
            return 0;
        }
        double areaA = (a[2] - a[0] + 1) * (a[3] - a[1] + 1);
        double areaB = (b[2] - b[0] + 1) * (b[3] - b[1] + 1);
        return iw * ih / (areaA + areaB - iw * ih);
    }

    /**
     * Matches one image's detections (corners, highest score first) to its faces (corners).
     *
     * @param keep per face, whether it is in the level's keep-list
     * @return per detection, the faces recalled so far ({@code predRecall}) and 1, or -1 where it hit
     *     a face outside the keep-list ({@code proposal})
     */
    static ImageMatch matchImage(double[][] pred, double[][] gt, boolean[] keep, double iouThreshold) {
        int[] predRecall = new int[pred.length];
        int[] proposal = new int[pred.length];
        int[] recallList = new int[gt.length];
        int recalled = 0;
        for (int h = 0; h < pred.length; h++) {
            proposal[h] = 1;
            double maxOverlap = Double.NEGATIVE_INFINITY;
            int maxIndex = -1;
            for (int g = 0; g < gt.length; g++) {
                double overlap = iou(pred[h], gt[g]);
                if (overlap > maxOverlap) { // the first face wins a tie, as numpy's argmax does
                    maxOverlap = overlap;
                    maxIndex = g;
                }
            }
            if (maxOverlap >= iouThreshold) {
                if (!keep[maxIndex]) {
                    recallList[maxIndex] = -1; // never 1 before: only kept faces are recalled
                    proposal[h] = -1;
                } else if (recallList[maxIndex] == 0) {
                    recallList[maxIndex] = 1;
                    recalled++;
                }
            }
            predRecall[h] = recalled;
        }
        return new ImageMatch(predRecall, proposal);
    }

    /**
     * One image's contribution to the precision-recall curve.
     *
     * @param scores the normalised scores, highest first (the last detection scoring at least a
     *     threshold is then the last of the first ones that do)
     * @return per threshold {@code t}, {@code {detections not ignored, faces recalled}} down to the last
     *     detection scoring at least {@code 1 - (t+1)/1000}; {@code {0, 0}} where none does
     */
    static long[][] imagePrInfo(double[] scores, int[] proposal, int[] predRecall) {
        long[][] info = new long[THRESHOLDS][2];
        int reached = 0; // detections scoring at least the threshold: the first ones, scores being sorted
        int proposals = 0; // of those, the ones not ignored
        for (int t = 0; t < THRESHOLDS; t++) {
            double thresh = 1 - (t + 1) / (double) THRESHOLDS;
            while (reached < scores.length && scores[reached] >= thresh) {
                if (proposal[reached] == 1) {
                    proposals++;
                }
                reached++;
            }
            if (reached > 0) {
                info[t][0] = proposals;
                info[t][1] = predRecall[reached - 1];
            }
        }
        return info;
    }

    /**
     * The VOC area under a precision-recall curve: with {@code mrec = [0, recall..., 1]} and
     * {@code mpre = [0, precision..., 0]}, precision is made non-increasing from the right, then
     * {@code sum (mrec[i+1] - mrec[i]) * mpre[i+1]} over every {@code i} where recall changes.
     */
    public static double vocAp(double[] recall, double[] precision) {
        if (recall.length != precision.length) {
            throw new IllegalArgumentException("recall has " + recall.length + " points, precision " + precision.length);
        }
        int n = recall.length + 2;
        double[] mrec = new double[n];
        double[] mpre = new double[n];
        System.arraycopy(recall, 0, mrec, 1, recall.length);
        System.arraycopy(precision, 0, mpre, 1, precision.length);
        mrec[n - 1] = 1;
        for (int i = n - 1; i > 0; i--) {
            mpre[i - 1] = Math.max(mpre[i - 1], mpre[i]);
        }
        double ap = 0;
        for (int i = 0; i < n - 1; i++) {
            if (mrec[i + 1] != mrec[i]) {
                ap += (mrec[i + 1] - mrec[i]) * mpre[i + 1];
            }
        }
        return ap;
    }
}
