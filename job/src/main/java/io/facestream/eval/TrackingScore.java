package io.facestream.eval;

import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How well a tracker followed the faces of a {@link TrackingGroundTruth}: CLEAR-MOT's MOTA (Bernardin
 * and Stiefelhagen 2008) and the identity measures' IDF1 (Ristani et al. 2016), both with a match
 * meaning box IoU at least {@link #MIN_IOU}; and per identity how steadily it kept one track id.
 *
 * <p>Only faces with a track id are hypotheses: an untracked face (null trackId: a track not yet
 * confirmed, a frame too late to be ordered) finds nothing, so its ground-truth face is missed.
 *
 * @param frames ground-truth frames scored
 * @param groundTruthFaces faces in the ground truth (GT in MOTA's denominator)
 * @param hypotheses faces with a track id in the results of those frames
 * @param untrackedFaces faces without a track id in those results (not hypotheses)
 * @param matches ground-truth faces matched to a hypothesis
 * @param falseNegatives ground-truth faces without a match (FN)
 * @param falsePositives hypotheses without a match (FP)
 * @param idSwitches matches whose track id differs from the one the face was last matched to (IDSW)
 * @param mota 1 - (FN + FP + IDSW) / GT
 * @param motp mean IoU of the matches
 * @param idtp faces matched, frame by frame, to the track id globally assigned to their identity
 * @param idfp hypotheses not so matched
 * @param idfn ground-truth faces not so matched
 * @param idf1 2 IDTP / (2 IDTP + IDFP + IDFN)
 * @param identities per ground-truth identity, in the order of its first frame, how it kept its track id
 * @param framesWithoutResult ground-truth frames with no result (their faces all missed)
 * @param resultsOutsideGroundTruth results whose event id names no ground-truth frame (not scored)
 */
public record TrackingScore(int frames, int groundTruthFaces, int hypotheses, int untrackedFaces, int matches,
                            int falseNegatives, int falsePositives, int idSwitches, double mota, double motp,
                            int idtp, int idfp, int idfn, double idf1, List<IdentityKeeping> identities,
                            List<String> framesWithoutResult, List<String> resultsOutsideGroundTruth) {

    /** Least IoU for a hypothesis to count as the ground-truth face (both measures). */
    public static final double MIN_IOU = 0.5;

    /** A face of a result: its track id, null when untracked, and its box. */
    public record TrackedFace(String trackId, double x1, double y1, double x2, double y2) {}

    /**
     * How one identity kept its track id.
     *
     * @param id the ground-truth identity
     * @param frames frames it is in (drawn)
     * @param matchedFrames frames it was matched in, under any track id
     * @param mainTrackId the track id it was matched to most often; null when never matched
     * @param framesWithMainTrack frames it was matched to {@code mainTrackId}
     * @param trackIds distinct track ids it was matched to
     */
    public record IdentityKeeping(String id, int frames, int matchedFrames, String mainTrackId, int framesWithMainTrack,
                                  int trackIds) {

        /** The share of its frames in which it carries its main track id; its unmatched frames count against it. */
        public double share() {
            return frames == 0 ? 0 : (double) framesWithMainTrack / frames;
        }
    }

    public TrackingScore {
        identities = List.copyOf(identities);
        framesWithoutResult = List.copyOf(framesWithoutResult);
        resultsOutsideGroundTruth = List.copyOf(resultsOutsideGroundTruth);
    }

    /**
     * The faces of each result, by event id, as the tracker reported them. Under at-least-once delivery
     * an event's result can come twice; the first one counts.
     */
    public static Map<String, List<TrackedFace>> trackedFaces(Iterable<FaceDetectionResult> results) {
        Map<String, List<TrackedFace>> byEvent = new LinkedHashMap<>();
        for (FaceDetectionResult result : results) {
            List<TrackedFace> faces = new ArrayList<>();
            for (Face face : result.getFaces()) {
                var box = face.getBox();
                faces.add(new TrackedFace(face.getTrackId(), box.getX1(), box.getY1(), box.getX2(), box.getY2()));
            }
            byEvent.putIfAbsent(result.getEventId(), faces);
        }
        return byEvent;
    }

    /** Scores the results (faces by event id) against the ground truth's frames, taken in event-time order. */
    public static TrackingScore of(TrackingGroundTruth groundTruth, Map<String, List<TrackedFace>> results) {
        return of(groundTruth.frames(), results);
    }

    /** Scores the results (faces by event id) against these frames, taken in their order (event time). */
    public static TrackingScore of(List<TrackingGroundTruth.Frame> frames, Map<String, List<TrackedFace>> results) {
        int groundTruthFaces = 0;
        int hypotheses = 0;
        int untracked = 0;
        int matches = 0;
        int falsePositives = 0;
        int idSwitches = 0;
        double iouSum = 0;
        List<String> withoutResult = new ArrayList<>();
        Set<String> frameIds = new LinkedHashSet<>();
        // CLEAR-MOT's correspondence: each identity's last matched track id, kept across frames where it is
        // unmatched or hidden (as py-motmetrics does), so that a face that reappears under its old id is no switch.
        Map<String, String> lastTrack = new HashMap<>();
        Map<String, Map<String, Integer>> matchedTracks = new LinkedHashMap<>();
        Map<String, Integer> identityFrames = new LinkedHashMap<>();
        // IDF1's co-occurrences: per identity and track id, the frames where the track's box matches the face.
        Map<String, Map<String, Integer>> coMatches = new HashMap<>();
        Map<String, Integer> trackFaces = new HashMap<>();

        for (TrackingGroundTruth.Frame frame : frames) {
            frameIds.add(frame.eventId());
            List<TrackingGroundTruth.Face> truth = frame.faces();
            List<TrackedFace> reported = results.get(frame.eventId());
            if (reported == null) {
                withoutResult.add(frame.eventId());
                reported = List.of();
            }
            List<TrackedFace> tracked = new ArrayList<>();
            for (TrackedFace face : reported) {
                if (face.trackId() == null) {
                    untracked++;
                } else {
                    tracked.add(face);
                    trackFaces.merge(face.trackId(), 1, Integer::sum);
                }
            }
            groundTruthFaces += truth.size();
            hypotheses += tracked.size();

            double[][] iou = new double[truth.size()][tracked.size()];
            for (int g = 0; g < truth.size(); g++) {
                TrackingGroundTruth.Face face = truth.get(g);
                identityFrames.merge(face.id(), 1, Integer::sum);
                matchedTracks.computeIfAbsent(face.id(), id -> new LinkedHashMap<>());
                Set<String> coMatched = new LinkedHashSet<>();
                for (int h = 0; h < tracked.size(); h++) {
                    TrackedFace hyp = tracked.get(h);
                    iou[g][h] = face.iou(hyp.x1(), hyp.y1(), hyp.x2(), hyp.y2());
                    if (iou[g][h] >= MIN_IOU) {
                        coMatched.add(hyp.trackId());
                    }
                }
                for (String track : coMatched) {
                    coMatches.computeIfAbsent(face.id(), id -> new HashMap<>()).merge(track, 1, Integer::sum);
                }
            }

            int[] match = new int[truth.size()];
            java.util.Arrays.fill(match, -1);
            boolean[] taken = new boolean[tracked.size()];
            // First the correspondences still valid: the track the face was last matched to, if it still overlaps.
            for (int g = 0; g < truth.size(); g++) {
                String previous = lastTrack.get(truth.get(g).id());
                if (previous == null) {
                    continue;
                }
                int best = -1;
                for (int h = 0; h < tracked.size(); h++) {
                    if (!taken[h] && previous.equals(tracked.get(h).trackId()) && iou[g][h] >= MIN_IOU
                            && (best < 0 || iou[g][h] > iou[g][best])) {
                        best = h;
                    }
                }
                if (best >= 0) {
                    match[g] = best;
                    taken[best] = true;
                }
            }
            // Then the rest: the most matches, then the highest IoU in all.
            List<Integer> openTruth = new ArrayList<>();
            List<Integer> openHyp = new ArrayList<>();
            for (int g = 0; g < truth.size(); g++) {
                if (match[g] < 0) {
                    openTruth.add(g);
                }
            }
            for (int h = 0; h < tracked.size(); h++) {
                if (!taken[h]) {
                    openHyp.add(h);
                }
            }
            double[][] weights = new double[openTruth.size()][openHyp.size()];
            for (int i = 0; i < openTruth.size(); i++) {
                for (int j = 0; j < openHyp.size(); j++) {
                    double v = iou[openTruth.get(i)][openHyp.get(j)];
                    weights[i][j] = v >= MIN_IOU ? v : 0;
                }
            }
            int[] assigned = Assignment.best(weights, true);
            for (int i = 0; i < openTruth.size(); i++) {
                if (assigned[i] >= 0) {
                    match[openTruth.get(i)] = openHyp.get(assigned[i]);
                }
            }

            int frameMatches = 0;
            for (int g = 0; g < truth.size(); g++) {
                if (match[g] < 0) {
                    continue;
                }
                frameMatches++;
                String id = truth.get(g).id();
                String track = tracked.get(match[g]).trackId();
                iouSum += iou[g][match[g]];
                String previous = lastTrack.put(id, track);
                if (previous != null && !previous.equals(track)) {
                    idSwitches++;
                }
                matchedTracks.get(id).merge(track, 1, Integer::sum);
            }
            matches += frameMatches;
            falsePositives += tracked.size() - frameMatches;
        }

        int falseNegatives = groundTruthFaces - matches;
        double mota = groundTruthFaces == 0 ? Double.NaN
                : 1 - (double) (falseNegatives + falsePositives + idSwitches) / groundTruthFaces;
        double motp = matches == 0 ? Double.NaN : iouSum / matches;

        // IDF1: the one-to-one assignment of identities to track ids with the most co-matched frames.
        List<String> ids = new ArrayList<>(identityFrames.keySet());
        List<String> tracks = new ArrayList<>(new TreeMap<>(trackFaces).keySet());
        double[][] together = new double[ids.size()][tracks.size()];
        for (int i = 0; i < ids.size(); i++) {
            Map<String, Integer> counts = coMatches.getOrDefault(ids.get(i), Map.of());
            for (int j = 0; j < tracks.size(); j++) {
                together[i][j] = counts.getOrDefault(tracks.get(j), 0);
            }
        }
        int[] idAssignment = Assignment.best(together, false);
        int idtp = 0;
        for (int i = 0; i < ids.size(); i++) {
            if (idAssignment[i] >= 0) {
                idtp += (int) together[i][idAssignment[i]];
            }
        }
        int idfp = hypotheses - idtp;
        int idfn = groundTruthFaces - idtp;
        double idf1 = groundTruthFaces + hypotheses == 0 ? Double.NaN : 2.0 * idtp / (2.0 * idtp + idfp + idfn);

        List<IdentityKeeping> keeping = new ArrayList<>();
        for (String id : ids) {
            Map<String, Integer> counts = matchedTracks.get(id);
            String main = null;
            int mainCount = 0;
            int matched = 0;
            for (Map.Entry<String, Integer> entry : counts.entrySet()) {
                matched += entry.getValue();
                if (entry.getValue() > mainCount) {
                    main = entry.getKey();
                    mainCount = entry.getValue();
                }
            }
            keeping.add(new IdentityKeeping(id, identityFrames.get(id), matched, main, mainCount, counts.size()));
        }

        List<String> outside = results.keySet().stream().filter(id -> !frameIds.contains(id)).sorted().toList();
        return new TrackingScore(frames.size(), groundTruthFaces, hypotheses, untracked, matches, falseNegatives,
                falsePositives, idSwitches, mota, motp, idtp, idfp, idfn, idf1, keeping, withoutResult, outside);
    }

    /** The results in a few lines: MOTA and its parts, IDF1 and its parts, each identity's id keeping. */
    public String summary() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("MOTA %.4f  (GT %d, FN %d, FP %d, IDSW %d; matches %d, MOTP (mean IoU) %.3f)%n",
                mota, groundTruthFaces, falseNegatives, falsePositives, idSwitches, matches, motp));
        out.append(String.format("IDF1 %.4f  (IDTP %d, IDFP %d, IDFN %d)%n", idf1, idtp, idfp, idfn));
        out.append(String.format("frames %d, tracked faces %d, untracked faces %d, frames without a result %d, "
                + "results outside the ground truth %d%n", frames, hypotheses, untrackedFaces, framesWithoutResult.size(),
                resultsOutsideGroundTruth.size()));
        for (IdentityKeeping identity : identities) {
            out.append(String.format("  %-12s frames %3d  matched %3d  main track %-24s %3d frames = %5.1f%%  "
                    + "(track ids: %d)%s%n", identity.id(), identity.frames(), identity.matchedFrames(),
                    identity.mainTrackId() == null ? "-" : identity.mainTrackId(), identity.framesWithMainTrack(),
                    100 * identity.share(), identity.trackIds(), identity.share() >= 0.95 ? "" : "  below 95%"));
        }
        return out.toString();
    }

    /**
     * One-to-one assignment of rows to columns by exhaustive search over the pairs of positive weight:
     * the matrices here are a frame's few faces, or a sequence's few identities against its track ids.
     */
    static final class Assignment {

        /** Nodes the search may visit before it gives up; a sequence of a handful of faces needs a few hundred. */
        static final long MAX_NODES = 20_000_000;

        private final double[][] weights;
        private final boolean mostPairsFirst;
        private final int[] current;
        private final boolean[] columnUsed;
        private int[] best;
        private int bestPairs = -1;
        private double bestSum = -1;
        private long nodes;

        private Assignment(double[][] weights, boolean mostPairsFirst) {
            this.weights = weights;
            this.mostPairsFirst = mostPairsFirst;
            this.current = new int[weights.length];
            this.columnUsed = new boolean[weights.length == 0 ? 0 : weights[0].length];
        }

        /**
         * Per row, its column (-1: none), among pairs of positive weight, each column at most once.
         * {@code mostPairsFirst}: the most pairs, then the highest sum (CLEAR-MOT's per-frame matching);
         * otherwise the highest sum alone (IDF1's).
         */
        static int[] best(double[][] weights, boolean mostPairsFirst) {
            Assignment search = new Assignment(weights, mostPairsFirst);
            search.search(0, 0, 0);
            return search.best;
        }

        private void search(int row, int pairs, double sum) {
            if (++nodes > MAX_NODES) {
                throw new IllegalArgumentException("too many faces or track ids for the exhaustive assignment ("
                        + weights.length + " x " + columnUsed.length + ")");
            }
            if (row == weights.length) {
                boolean better = mostPairsFirst
                        ? pairs > bestPairs || pairs == bestPairs && sum > bestSum + 1e-12
                        : sum > bestSum + 1e-12;
                if (better) {
                    best = current.clone();
                    bestPairs = pairs;
                    bestSum = sum;
                }
                return;
            }
            for (int column = 0; column < columnUsed.length; column++) {
                if (!columnUsed[column] && weights[row][column] > 0) {
                    columnUsed[column] = true;
                    current[row] = column;
                    search(row + 1, pairs + 1, sum + weights[row][column]);
                    columnUsed[column] = false;
                }
            }
            current[row] = -1;
            search(row + 1, pairs, sum);
        }
    }
}
