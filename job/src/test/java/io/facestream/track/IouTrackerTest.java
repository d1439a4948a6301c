package io.facestream.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.avro.TrackEnd;
import io.facestream.track.IouTracker.Detection;
import io.facestream.track.IouTracker.Ended;
import io.facestream.track.IouTracker.Frame;
import io.facestream.track.IouTracker.Step;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Tracking steps on synthetic faces moving at known velocities, in event time. */
class IouTrackerTest {

    private static final long FRAME_MILLIS = 40;
    private static final float SIZE = 50;

    private final IouTracker tracker = new IouTracker(2, 3, 5_000, 0.3);

    private static Detection face(double x, double y) {
        return face(x, y, 0.9f);
    }

    private static Detection face(double x, double y, float score) {
        return new Detection((float) x, (float) y, (float) x + SIZE, (float) y + SIZE, score);
    }

    private static Frame frame(long time, Detection... faces) {
        return new Frame(time, "e" + time, List.of(faces));
    }

    @Test
    void twoFacesCrossingAtConstantVelocityKeepTheirIds() {
        // 20 px a frame each, towards each other, 5 px apart vertically. Where they pass (frames 9 to 10), each
        // face's box of the frame before overlaps the other face's new box more than its own: a tracker
        // matching last boxes would swap them there; only the motion model keeps them apart.
        SourceTracks state = SourceTracks.start("cam", 0);
        String idA = null;
        String idB = null;
        for (int k = 0; k <= 20; k++) {
            long time = k * FRAME_MILLIS;
            Detection a = face(20 * k, 100);
            Detection b = face(390 - 20 * k, 105);
            // Detector order (by score) changes from frame to frame; ids must follow the faces, not the order.
            boolean aFirst = k % 3 != 0;
            Step step = tracker.track(state, aFirst ? frame(time, a, b) : frame(time, b, a));
            String gotA = step.trackIds().get(aFirst ? 0 : 1);
            String gotB = step.trackIds().get(aFirst ? 1 : 0);
            if (k == 0) {
                assertThat(gotA).isNull();
                assertThat(gotB).isNull();
                continue;
            }
            if (k == 1) {
                idA = gotA;
                idB = gotB;
                assertThat(idA).isNotNull().isNotEqualTo(idB);
                assertThat(idB).isNotNull();
            }
            assertThat(gotA).as("face A in frame %d", k).isEqualTo(idA);
            assertThat(gotB).as("face B in frame %d", k).isEqualTo(idB);
            assertThat(step.ended()).isEmpty();
        }
        // The swap a tracker without motion would make: A's box in frame 9 against A and B in frame 10.
        assertThat(IouTracker.iou(180, 100, 230, 150, 190, 105, 240, 155))
                .isGreaterThan(IouTracker.iou(180, 100, 230, 150, 200, 100, 250, 150));
    }

    @Test
    void aFaceHiddenForAtMostMaxMissesFramesKeepsItsId() {
        // 0.5 px/ms: hidden for 3 frames, the face moves 80 px, more than its own width, away from its last box.
        SourceTracks state = SourceTracks.start("cam", 0);
        List<String> ids = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            long time = k * FRAME_MILLIS;
            boolean hidden = k >= 4 && k < 7;
            Step step = hidden ? tracker.track(state, frame(time)) : tracker.track(state, frame(time, face(10 + 0.5 * time, 200)));
            assertThat(step.ended()).isEmpty();
            if (!hidden) {
                ids.add(step.trackIds().get(0));
            }
        }
        assertThat(ids.get(0)).isNull();
        assertThat(ids.subList(1, ids.size())).containsOnly("cam/0/1");
    }

    @Test
    void irregularFrameGapsArePredictedByEventTime() {
        SourceTracks state = SourceTracks.start("cam", 1_000);
        long[] times = {1_000, 1_040, 1_150, 1_160, 1_400, 1_420, 1_700};
        List<String> ids = new ArrayList<>();
        for (long time : times) {
            ids.add(tracker.track(state, frame(time, face(0.4 * (time - 1_000), 50))).trackIds().get(0));
        }
        assertThat(ids.subList(1, ids.size())).containsOnly("cam/1000/1");
    }

    @Test
    void aFaceHiddenLongerThanMaxMissesEndsAndComesBackUnderANewId() {
        SourceTracks state = SourceTracks.start("cam", 0);
        long time = 0;
        String firstId = null;
        for (int k = 0; k < 3; k++, time += FRAME_MILLIS) {
            firstId = tracker.track(state, frame(time, face(100, 100))).trackIds().get(0);
        }
        assertThat(firstId).isEqualTo("cam/0/1");
        List<Ended> ended = new ArrayList<>();
        for (int k = 0; k < 4; k++, time += FRAME_MILLIS) {
            ended.addAll(tracker.track(state, frame(time)).ended());
            assertThat(ended).as("after %d missed frames", k + 1).hasSize(k == 3 ? 1 : 0);
        }
        assertThat(ended.get(0).end()).isEqualTo(TrackEnd.MISSED);
        assertThat(ended.get(0).track().trackId).isEqualTo("cam/0/1");
        assertThat(ended.get(0).track().frames).isEqualTo(3);
        assertThat(ended.get(0).track().lastSeenMillis).isEqualTo(2 * FRAME_MILLIS);

        assertThat(tracker.track(state, frame(time, face(100, 100))).trackIds().get(0)).isNull();
        time += FRAME_MILLIS;
        assertThat(tracker.track(state, frame(time, face(100, 100))).trackIds().get(0)).isEqualTo("cam/0/2");
    }

    @Test
    void aTentativeTrackThatMissesIsDroppedWithoutAnIdOrSummary() {
        SourceTracks state = SourceTracks.start("cam", 0);
        assertThat(tracker.track(state, frame(0, face(100, 100))).trackIds()).containsExactly((String) null);
        Step miss = tracker.track(state, frame(40));
        assertThat(miss.ended()).isEmpty();
        assertThat(state.tracks).isEmpty();
        // Back in the same place: a new tentative track, and the dropped one used up no number.
        assertThat(tracker.track(state, frame(80, face(100, 100))).trackIds()).containsExactly((String) null);
        assertThat(tracker.track(state, frame(120, face(100, 100))).trackIds()).containsExactly("cam/0/1");
    }

    @Test
    void aTrackIsConfirmedAtMinHitsAndOnlyThenGetsItsId() {
        IouTracker threeHits = new IouTracker(3, 3, 5_000, 0.3);
        SourceTracks state = SourceTracks.start("cam-7", 5_000);
        List<String> ids = new ArrayList<>();
        int confirmed = 0;
        for (int k = 0; k < 5; k++) {
            Step step = threeHits.track(state, frame(5_000 + k * FRAME_MILLIS, face(100 + 2 * k, 100)));
            ids.add(step.trackIds().get(0));
            confirmed += step.confirmed();
        }
        assertThat(ids).containsExactly(null, null, "cam-7/5000/1", "cam-7/5000/1", "cam-7/5000/1");
        assertThat(confirmed).isEqualTo(1);

        IouTracker oneHit = new IouTracker(1, 3, 5_000, 0.3);
        SourceTracks immediate = SourceTracks.start("cam-8", 0);
        Step first = oneHit.track(immediate, frame(0, face(0, 0), face(300, 300)));
        assertThat(first.trackIds()).containsExactly("cam-8/0/1", "cam-8/0/2");
        assertThat(first.confirmed()).isEqualTo(2);
    }

    @Test
    void aTrackNotSeenForTheIdleTimeEndsIdle() {
        IouTracker patient = new IouTracker(2, 1_000, 1_000, 0.3);
        SourceTracks state = SourceTracks.start("cam", 0);
        patient.track(state, frame(0, face(100, 100)));
        patient.track(state, frame(40, face(100, 100)));
        assertThat(patient.track(state, frame(1_039)).ended()).isEmpty();
        Step step = patient.track(state, frame(1_040, face(100, 100)));
        assertThat(step.ended()).extracting(Ended::end).containsExactly(TrackEnd.IDLE);
        assertThat(step.ended().get(0).track().trackId).isEqualTo("cam/0/1");
        // The face in that frame does not join the ended track: it starts a new one.
        assertThat(step.trackIds()).containsExactly((String) null);
    }

    @Test
    void theBestScoreKeepsItsFrameAndBox() {
        SourceTracks state = SourceTracks.start("cam", 0);
        float[] scores = {0.6f, 0.95f, 0.7f, 0.95f};
        for (int k = 0; k < scores.length; k++) {
            tracker.track(state, frame(k * FRAME_MILLIS, face(100 + k, 100, scores[k])));
        }
        List<Ended> ended = tracker.endAll(state, TrackEnd.IDLE);
        assertThat(ended).hasSize(1);
        Track track = ended.get(0).track();
        assertThat(track.bestScore).isEqualTo(0.95f);
        assertThat(track.bestEventId).isEqualTo("e40");
        assertThat(track.bestX1).isEqualTo(101f);
        assertThat(track.bestX2).isEqualTo(151f);
        assertThat(track.frames).isEqualTo(4);
        assertThat(track.firstSeenMillis).isZero();
        assertThat(track.lastSeenMillis).isEqualTo(120);
        assertThat(state.tracks).isEmpty();
    }

    @Test
    void idsAreUniqueAcrossAFreedAndRestartedSession() {
        Set<String> ids = new HashSet<>();
        List<String> all = new ArrayList<>();
        long sessionStart = 10_000;
        for (int session = 0; session < 3; session++) {
            SourceTracks state = SourceTracks.start("cam", sessionStart);
            for (int k = 0; k < 3; k++) {
                Step step = tracker.track(state, frame(sessionStart + k * FRAME_MILLIS, face(0, 0), face(200, 0)));
                step.trackIds().stream().filter(id -> id != null).forEach(id -> {
                    ids.add(id);
                    all.add(id);
                });
            }
            List<Ended> ended = tracker.endAll(state, TrackEnd.IDLE);
            assertThat(ended).hasSize(2);
            // The source went quiet and its state was freed; its next session starts later in event time.
            sessionStart = state.lastFrameMillis + 5_000;
        }
        assertThat(ids).containsExactlyInAnyOrder("cam/10000/1", "cam/10000/2", "cam/15080/1", "cam/15080/2",
                "cam/20160/1", "cam/20160/2");
        assertThat(all).hasSize(12);
    }

    @Test
    void iouOfKnownBoxes() {
        assertThat(IouTracker.iou(0, 0, 10, 10, 0, 0, 10, 10)).isEqualTo(1.0);
        assertThat(IouTracker.iou(0, 0, 10, 10, 5, 0, 15, 10)).isEqualTo(50.0 / 150.0);
        assertThat(IouTracker.iou(0, 0, 10, 10, 10, 0, 20, 10)).isZero();
        assertThat(IouTracker.iou(0, 0, 0, 10, 0, 0, 10, 10)).isZero();
    }
}
