package io.facestream.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.facestream.avro.BoundingBox;
import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceLandmarks;
import io.facestream.avro.ModelInfo;
import io.facestream.avro.Point;
import io.facestream.avro.StageTimings;
import io.facestream.eval.TrackingScore.TrackedFace;
import io.facestream.output.OutputRecords;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MOTA and IDF1 on hand-made cases; every expected value is worked out in the comments from the
 * definitions: MOTA = 1 - (FN + FP + IDSW) / GT; IDF1 = 2 IDTP / (2 IDTP + IDFP + IDFN), where IDTP
 * counts the frames in which a face is matched (IoU >= 0.5) by the track id its identity is assigned,
 * one-to-one, for the most such frames in all; IDFP = hypotheses - IDTP, IDFN = GT - IDTP.
 */
class TrackingScoreTest {

    /** Face A's box, and boxes at known IoU with it. */
    private static final double[] A = {0, 0, 10, 10};
    /** Face B's box, far from A. */
    private static final double[] B = {100, 0, 110, 10};
    /** Far from everything: a false face. */
    private static final double[] NOWHERE = {200, 200, 210, 210};
    /** A moved right by 2: intersection 8 x 10 = 80, union 100 + 100 - 80 = 120, IoU 0.667. */
    private static final double[] A_SHIFTED = {2, 0, 12, 10};

    @Test
    void perfectTrackingScoresOne() {
        // Two faces in 3 frames, each always under its own track id, boxes exact.
        // GT = 6, FN = FP = IDSW = 0: MOTA = 1. IDTP = 6 (A->a 3, B->b 3), IDFP = IDFN = 0: IDF1 = 12/12 = 1.
        Sequence s = new Sequence();
        for (int i = 0; i < 3; i++) {
            s.frame(gt("A", A), gt("B", B)).result(hyp("a", A), hyp("b", B));
        }
        TrackingScore score = s.score();
        assertCounts(score, 6, 0, 0, 0);
        assertThat(score.mota()).isEqualTo(1.0);
        assertThat(score.idf1()).isEqualTo(1.0);
        assertThat(score.motp()).isEqualTo(1.0);
        assertThat(score.identities()).extracting(TrackingScore.IdentityKeeping::share).containsExactly(1.0, 1.0);
        assertThat(score.identities()).extracting(TrackingScore.IdentityKeeping::mainTrackId).containsExactly("a", "b");
    }

    @Test
    void oneIdSwitch() {
        // A in 4 frames: track a in frame 0, track b in frames 1..3.
        // Every frame matched: FN = FP = 0; a -> b in frame 1 is one switch. MOTA = 1 - 1/4 = 0.75.
        // IDF1: A is assigned b (3 frames, more than a's 1): IDTP = 3, IDFP = 4 - 3 = 1, IDFN = 4 - 3 = 1;
        // IDF1 = 6 / (6 + 1 + 1) = 0.75. A keeps b, its main track, in 3 of its 4 frames.
        Sequence s = new Sequence();
        s.frame(gt("A", A)).result(hyp("a", A));
        for (int i = 1; i < 4; i++) {
            s.frame(gt("A", A)).result(hyp("b", A));
        }
        TrackingScore score = s.score();
        assertCounts(score, 4, 0, 0, 1);
        assertThat(score.mota()).isCloseTo(0.75, within(1e-12));
        assertThat(score.idtp()).isEqualTo(3);
        assertThat(score.idf1()).isCloseTo(0.75, within(1e-12));
        TrackingScore.IdentityKeeping a = score.identities().get(0);
        assertThat(a.mainTrackId()).isEqualTo("b");
        assertThat(a.framesWithMainTrack()).isEqualTo(3);
        assertThat(a.trackIds()).isEqualTo(2);
        assertThat(a.share()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void oneMissedFrameWhereTheFaceIsUntracked() {
        // A in 4 frames under track a, but in frame 2 the face comes without a track id: not a hypothesis.
        // FN = 1, FP = 0, IDSW = 0: MOTA = 1 - 1/4 = 0.75.
        // IDTP = 3, IDFP = 3 hypotheses - 3 = 0, IDFN = 4 - 3 = 1: IDF1 = 6 / (6 + 0 + 1) = 6/7.
        Sequence s = new Sequence();
        s.frame(gt("A", A)).result(hyp("a", A));
        s.frame(gt("A", A)).result(hyp("a", A));
        s.frame(gt("A", A)).result(hyp(null, A));
        s.frame(gt("A", A)).result(hyp("a", A));
        TrackingScore score = s.score();
        assertCounts(score, 4, 1, 0, 0);
        assertThat(score.untrackedFaces()).isEqualTo(1);
        assertThat(score.hypotheses()).isEqualTo(3);
        assertThat(score.mota()).isCloseTo(0.75, within(1e-12));
        assertThat(score.idf1()).isCloseTo(6.0 / 7, within(1e-12));
        assertThat(score.identities().get(0).share()).isCloseTo(0.75, within(1e-12));
    }

    @Test
    void aFrameWithoutAResultMissesItsFaces() {
        // A and B in 2 frames, no result at all for frame 1: its 2 faces are missed.
        // GT = 4, FN = 2: MOTA = 1 - 2/4 = 0.5. IDTP = 2, IDFP = 0, IDFN = 2: IDF1 = 4 / (4 + 0 + 2) = 2/3.
        Sequence s = new Sequence();
        s.frame(gt("A", A), gt("B", B)).result(hyp("a", A), hyp("b", B));
        s.frame(gt("A", A), gt("B", B));
        TrackingScore score = s.score();
        assertCounts(score, 4, 2, 0, 0);
        assertThat(score.framesWithoutResult()).containsExactly("f1");
        assertThat(score.mota()).isCloseTo(0.5, within(1e-12));
        assertThat(score.idf1()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void oneFalsePositive() {
        // A in 4 frames under track a; frame 1 also has a face z where there is none.
        // FN = 0, FP = 1, IDSW = 0: MOTA = 1 - 1/4 = 0.75.
        // IDTP = 4 (A->a), IDFP = 5 hypotheses - 4 = 1, IDFN = 0: IDF1 = 8 / (8 + 1 + 0) = 8/9.
        Sequence s = new Sequence();
        s.frame(gt("A", A)).result(hyp("a", A));
        s.frame(gt("A", A)).result(hyp("a", A), hyp("z", NOWHERE));
        s.frame(gt("A", A)).result(hyp("a", A));
        s.frame(gt("A", A)).result(hyp("a", A));
        TrackingScore score = s.score();
        assertCounts(score, 4, 0, 1, 0);
        assertThat(score.mota()).isCloseTo(0.75, within(1e-12));
        assertThat(score.idf1()).isCloseTo(8.0 / 9, within(1e-12));
        assertThat(score.identities().get(0).share()).isEqualTo(1.0);
    }

    @Test
    void aSwapIsTwoSwitches() {
        // A and B in 4 frames; tracks a and b follow A and B in frames 0..1, then swap faces for frames 2..3.
        // In frame 2 both faces change track: IDSW = 2. GT = 8: MOTA = 1 - 2/8 = 0.75.
        // IDF1: A->a and B->b co-match 2 frames each (as do A->b, B->a): IDTP = 4, IDFP = 8 - 4 = 4,
        // IDFN = 8 - 4 = 4: IDF1 = 8 / (8 + 4 + 4) = 0.5. Each face keeps one id in half its frames.
        Sequence s = new Sequence();
        s.frame(gt("A", A), gt("B", B)).result(hyp("a", A), hyp("b", B));
        s.frame(gt("A", A), gt("B", B)).result(hyp("a", A), hyp("b", B));
        s.frame(gt("A", A), gt("B", B)).result(hyp("b", A), hyp("a", B));
        s.frame(gt("A", A), gt("B", B)).result(hyp("b", A), hyp("a", B));
        TrackingScore score = s.score();
        assertCounts(score, 8, 0, 0, 2);
        assertThat(score.mota()).isCloseTo(0.75, within(1e-12));
        assertThat(score.idtp()).isEqualTo(4);
        assertThat(score.idf1()).isCloseTo(0.5, within(1e-12));
        assertThat(score.identities()).extracting(TrackingScore.IdentityKeeping::share).containsExactly(0.5, 0.5);
    }

    @Test
    void aStillValidCorrespondenceIsKeptOverABetterOverlap() {
        // Frame 0: A under a, exact. Frame 1: a at IoU 0.667 (still >= 0.5) and a new track c exactly on A.
        // CLEAR-MOT keeps A-a: no switch; c is a false positive. GT = 2, FP = 1: MOTA = 1 - 1/2 = 0.5.
        // (Matching frame 1 afresh by IoU would take c, a switch, and leave a as FP: MOTA 0.)
        // IDF1: A co-matches a in 2 frames, c in 1; A->a: IDTP = 2, IDFP = 3 - 2 = 1, IDFN = 0: IDF1 = 4/5.
        Sequence s = new Sequence();
        s.frame(gt("A", A)).result(hyp("a", A));
        s.frame(gt("A", A)).result(hyp("a", A_SHIFTED), hyp("c", A));
        TrackingScore score = s.score();
        assertCounts(score, 2, 0, 1, 0);
        assertThat(score.mota()).isCloseTo(0.5, within(1e-12));
        assertThat(score.idf1()).isCloseTo(0.8, within(1e-12));
        // MOTP: mean IoU of the matches, (1 + 0.667) / 2.
        assertThat(score.motp()).isCloseTo((1 + 80.0 / 120) / 2, within(1e-12));
    }

    @Test
    void theAssignmentMatchesTheMostFacesNotTheBestOverlapFirst() {
        // One frame: A = [0,10], B = [3,13] (x; all boxes 10 high). Track x = [1,11]: IoU with A 9/11 = 0.82,
        // with B 8/12 = 0.67. Track y = [-2,8]: IoU with A 8/12 = 0.67, with B 5/15 = 0.33 (no match).
        // Taking A-x first (the best overlap) would leave B unmatched; the optimal assignment is A-y, B-x.
        // GT = 2, FN = FP = IDSW = 0: MOTA = 1. IDTP = 2 (A->y, B->x): IDF1 = 4/4 = 1.
        Sequence s = new Sequence();
        s.frame(gt("A", new double[] {0, 0, 10, 10}), gt("B", new double[] {3, 0, 13, 10}))
                .result(hyp("x", new double[] {1, 0, 11, 10}), hyp("y", new double[] {-2, 0, 8, 10}));
        TrackingScore score = s.score();
        assertCounts(score, 2, 0, 0, 0);
        assertThat(score.mota()).isEqualTo(1.0);
        assertThat(score.idf1()).isEqualTo(1.0);
        assertThat(score.identities()).extracting(TrackingScore.IdentityKeeping::mainTrackId).containsExactly("y", "x");
    }

    @Test
    void aFaceBackFromHidingUnderItsOldIdIsNoSwitch() {
        // A in frames 0, 1 and 4 (hidden in 2 and 3). Back under a: nothing lost, MOTA = IDF1 = 1.
        Sequence same = new Sequence();
        same.frame(gt("A", A)).result(hyp("a", A));
        same.frame(gt("A", A)).result(hyp("a", A));
        same.frame().result();
        same.frame().result();
        same.frame(gt("A", A)).result(hyp("a", A));
        TrackingScore kept = same.score();
        assertCounts(kept, 3, 0, 0, 0);
        assertThat(kept.mota()).isEqualTo(1.0);
        assertThat(kept.idf1()).isEqualTo(1.0);

        // Back under a new id a2: one switch (its last correspondence, a, outlives the gap). MOTA = 1 - 1/3.
        // IDTP = 2 (A->a), IDFP = 3 - 2 = 1, IDFN = 3 - 2 = 1: IDF1 = 4 / (4 + 1 + 1) = 2/3.
        Sequence renamed = new Sequence();
        renamed.frame(gt("A", A)).result(hyp("a", A));
        renamed.frame(gt("A", A)).result(hyp("a", A));
        renamed.frame().result();
        renamed.frame().result();
        renamed.frame(gt("A", A)).result(hyp("a2", A));
        TrackingScore lost = renamed.score();
        assertCounts(lost, 3, 0, 0, 1);
        assertThat(lost.mota()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(lost.idf1()).isCloseTo(2.0 / 3, within(1e-12));
    }

    @Test
    void aBoxBelowHalfOverlapIsAMissAndAFalsePositive() {
        // A = [0,10]; the track's box [5,15]: intersection 50, union 150, IoU 0.33 < 0.5.
        // FN = 1, FP = 1: MOTA = 1 - 2/1 = -1. IDTP = 0: IDF1 = 0.
        Sequence s = new Sequence();
        s.frame(gt("A", A)).result(hyp("a", new double[] {5, 0, 15, 10}));
        TrackingScore score = s.score();
        assertCounts(score, 1, 1, 1, 0);
        assertThat(score.mota()).isEqualTo(-1.0);
        assertThat(score.idf1()).isEqualTo(0.0);
        assertThat(score.identities().get(0).mainTrackId()).isNull();
        assertThat(score.identities().get(0).share()).isEqualTo(0.0);
    }

    @Test
    void resultsAreReadFromTheJobsRecordsAsTheToolsWriteThem() {
        // Frame f0: A tracked as "t-1" and an untracked face; f1: A as "t-1"; a result for an event outside the
        // ground truth; f0's result again (an at-least-once duplicate, with another id: the first one counts).
        List<FaceDetectionResult> results = new ArrayList<>();
        for (FaceDetectionResult result : List.of(
                result("f0", face("t-1", A), face(null, B)),
                result("f1", face("t-1", A)),
                result("elsewhere.jpg", face("t-9", A)),
                result("f0", face("t-2", A)))) {
            results.add(OutputRecords.resultFromJson(OutputRecords.json(result)));
        }
        Map<String, List<TrackedFace>> faces = TrackingScore.trackedFaces(results);
        assertThat(faces.get("f0")).containsExactly(new TrackedFace("t-1", 0, 0, 10, 10), new TrackedFace(null, 100, 0, 110, 10));

        Sequence s = new Sequence();
        s.frame(gt("A", A), gt("B", B));
        s.frame(gt("A", A));
        TrackingScore score = TrackingScore.of(s.frames, faces);
        // GT = 3; A matched twice under t-1; B's face is untracked: FN = 1. MOTA = 1 - 1/3.
        assertCounts(score, 3, 1, 0, 0);
        assertThat(score.untrackedFaces()).isEqualTo(1);
        assertThat(score.mota()).isCloseTo(2.0 / 3, within(1e-12));
        assertThat(score.resultsOutsideGroundTruth()).containsExactly("elsewhere.jpg");
        assertThat(score.summary()).contains("MOTA 0.6667", "IDSW 0", "FN 1", "B", "below 95%");
    }

    private static void assertCounts(TrackingScore score, int groundTruth, int falseNegatives, int falsePositives, int idSwitches) {
        assertThat(new int[] {score.groundTruthFaces(), score.falseNegatives(), score.falsePositives(), score.idSwitches()})
                .as("GT, FN, FP, IDSW").containsExactly(groundTruth, falseNegatives, falsePositives, idSwitches);
    }

    private static TrackingGroundTruth.Face gt(String id, double[] box) {
        return new TrackingGroundTruth.Face(id, box[0], box[1], box[2], box[3], 1);
    }

    private static TrackedFace hyp(String trackId, double[] box) {
        return new TrackedFace(trackId, box[0], box[1], box[2], box[3]);
    }

    private static Face face(String trackId, double[] box) {
        Point p = new Point(0f, 0f);
        return new Face(0.9f, new BoundingBox((float) box[0], (float) box[1], (float) box[2], (float) box[3]),
                new FaceLandmarks(p, p, p, p, p), trackId);
    }

    private static FaceDetectionResult result(String eventId, Face... faces) {
        return FaceDetectionResult.newBuilder()
                .setEventId(eventId)
                .setEventTime(Instant.EPOCH)
                .setImageWidth(640)
                .setImageHeight(480)
                .setModel(new ModelInfo("m.onnx", "ab12"))
                .setFaces(Arrays.asList(faces))
                .setTimings(new StageTimings(0L, 0L, 0L, 0L, 0L, 0L))
                .setProcessedAt(Instant.EPOCH)
                .build();
    }

    /** Frames f0, f1, ... 40 ms apart, with the results given for them. */
    private static final class Sequence {
        final List<TrackingGroundTruth.Frame> frames = new ArrayList<>();
        final Map<String, List<TrackedFace>> results = new LinkedHashMap<>();

        Sequence frame(TrackingGroundTruth.Face... faces) {
            int index = frames.size();
            frames.add(new TrackingGroundTruth.Frame(index, "f" + index, 40L * index, List.of(faces), List.of()));
            return this;
        }

        /** The result for the frame added last. */
        Sequence result(TrackedFace... faces) {
            results.put(frames.get(frames.size() - 1).eventId(), Arrays.asList(faces));
            return this;
        }

        TrackingScore score() {
            return TrackingScore.of(frames, results);
        }
    }
}
