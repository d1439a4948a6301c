package io.facestream.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.facestream.detect.DetectedFace;
import io.facestream.detect.DetectorSettings;
import io.facestream.detect.FaceDetector;
import io.facestream.detect.GoldenDetections;
import io.facestream.track.TrackingOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The made-up tracking sequence: deterministic, and showing what it is meant to (a crossing, a hidden face, late frames). */
@Timeout(180)
class TrackingSequenceTest {

    private static FaceDetector detector;
    private static FaceDetector.Session session;
    private static TrackingSequence sequence;

    @BeforeAll
    static void generateTheDefaultSequence() throws Exception {
        detector = FaceDetector.load(DetectorSettings.defaults());
        session = detector.newSession();
        sequence = TrackingSequence.generate(GoldenDetections.testdata(), session, TrackingSequence.Settings.defaults());
    }

    @AfterAll
    static void closeModel() {
        session.close();
        detector.close();
    }

    @Test
    void theSameSettingsGiveTheSameBytesAndGroundTruth() throws Exception {
        TrackingSequence.Settings short30 = TrackingSequence.Settings.defaults().withFrames(30);
        TrackingSequence first = TrackingSequence.generate(GoldenDetections.testdata(), session, short30);
        TrackingSequence again = TrackingSequence.generate(GoldenDetections.testdata(), session, short30);
        assertThat(again.frames()).hasSize(30);
        for (int i = 0; i < 30; i++) {
            assertThat(again.frames().get(i)).as("frame %d", i).isEqualTo(first.frames().get(i));
        }
        assertThat(again.groundTruth()).isEqualTo(first.groundTruth());

        TrackingSequence otherSeed = TrackingSequence.generate(GoldenDetections.testdata(), session, short30.withSeed(16));
        assertThat(otherSeed.frames().get(0)).as("the seed's background").isNotEqualTo(first.frames().get(0));
        assertThat(otherSeed.groundTruth().arrivalOrder()).isNotEqualTo(first.groundTruth().arrivalOrder());
        assertThat(otherSeed.groundTruth().frames()).as("the faces do not depend on the seed").isEqualTo(first.groundTruth().frames());
    }

    @Test
    void framesAreFortyMillisecondsApartAndNamedByTheirFiles(@TempDir Path dir) throws Exception {
        TrackingGroundTruth truth = sequence.groundTruth();
        assertThat(truth.frames()).hasSize(90);
        assertThat(sequence.frames()).hasSize(90);
        for (TrackingGroundTruth.Frame frame : truth.frames()) {
            assertThat(frame.eventId()).isEqualTo(String.format("frame-%03d.jpg", frame.index()));
            assertThat(frame.eventTimeMillis()).isEqualTo(truth.frames().get(0).eventTimeMillis() + 40L * frame.index());
        }
        sequence.write(dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .hasSize(91).startsWith("frame-000.jpg", "frame-001.jpg").endsWith("frame-089.jpg", "ground-truth.json");
        }
        assertThat(Files.readAllBytes(dir.resolve("frame-042.jpg"))).startsWith(0xFF, 0xD8).isEqualTo(sequence.frames().get(42));
        assertThat(TrackingGroundTruth.read(dir.resolve("ground-truth.json"))).isEqualTo(truth);
    }

    @Test
    void everyFaceIsInsideTheFrameAtItsIntendedSize() {
        TrackingGroundTruth truth = sequence.groundTruth();
        assertThat(truth.identities()).hasSize(3);
        for (TrackingGroundTruth.Frame frame : truth.frames()) {
            for (TrackingGroundTruth.Face face : frame.faces()) {
                assertThat(face.x1()).isGreaterThanOrEqualTo(0);
                assertThat(face.y1()).isGreaterThanOrEqualTo(0);
                assertThat(face.x2()).isLessThanOrEqualTo(1280);
                assertThat(face.y2()).isLessThanOrEqualTo(720);
                assertThat(face.y2() - face.y1()).as("face height").isBetween(110.0, 190.0);
            }
        }
    }

    @Test
    void twoFacesCrossWithOverlappingBoxesForSeveralFrames() {
        TrackingGroundTruth truth = sequence.groundTruth();
        Map<String, Integer> overlapFrames = new HashMap<>();
        Map<String, Integer> longestRun = new HashMap<>();
        Map<String, Integer> run = new HashMap<>();
        for (TrackingGroundTruth.Frame frame : truth.frames()) {
            Set<String> overlapping = new HashSet<>();
            for (TrackingGroundTruth.Face a : frame.faces()) {
                for (TrackingGroundTruth.Face b : frame.faces()) {
                    if (a.id().compareTo(b.id()) < 0 && a.iou(b.x1(), b.y1(), b.x2(), b.y2()) > 0) {
                        overlapping.add(a.id() + "+" + b.id());
                    }
                }
            }
            for (String pair : overlapping) {
                overlapFrames.merge(pair, 1, Integer::sum);
                run.merge(pair, 1, Integer::sum);
                longestRun.merge(pair, run.get(pair), Math::max);
            }
            run.keySet().retainAll(overlapping);
        }
        assertThat(overlapFrames).as("the one crossing pair").containsOnlyKeys("Chris+Luciano");
        assertThat(longestRun.get("Chris+Luciano")).as("frames in a row with overlapping boxes").isGreaterThanOrEqualTo(5);

        // They pass each other: Chris starts left of Luciano and ends right of him.
        double startGap = centreX(truth.frames().get(0), "Chris") - centreX(truth.frames().get(0), "Luciano");
        double endGap = centreX(truth.frames().get(89), "Chris") - centreX(truth.frames().get(89), "Luciano");
        assertThat(startGap).isNegative();
        assertThat(endGap).isPositive();
        // The one drawn over the other leaves it partly covered, and both still show most of their face.
        double leastVisible = truth.frames().stream().flatMap(f -> f.faces().stream())
                .mapToDouble(TrackingGroundTruth.Face::visibility).min().orElseThrow();
        assertThat(leastVisible).isBetween(0.5, 0.99);
    }

    @Test
    void oneFaceIsHiddenForFiveFramesMidSequence() {
        TrackingGroundTruth truth = sequence.groundTruth();
        List<Integer> hiddenFrames = new ArrayList<>();
        for (TrackingGroundTruth.Frame frame : truth.frames()) {
            List<String> drawn = frame.faces().stream().map(TrackingGroundTruth.Face::id).toList();
            if (drawn.size() < 3) {
                hiddenFrames.add(frame.index());
                assertThat(drawn).containsExactly("Chris", "Luciano");
                assertThat(frame.hidden()).containsExactly("astronaut");
            } else {
                assertThat(frame.hidden()).isEmpty();
            }
        }
        assertThat(hiddenFrames).hasSize(5);
        int first = hiddenFrames.get(0);
        assertThat(hiddenFrames).containsExactly(first, first + 1, first + 2, first + 3, first + 4);
        assertThat(first).as("mid-sequence, after the crossing").isBetween(50, 80);
    }

    @Test
    void framesArriveOutOfOrderButNeverMoreThanThreeFramesLate() {
        TrackingGroundTruth truth = sequence.groundTruth();
        List<String> arrival = truth.arrivalOrder();
        assertThat(arrival).hasSize(90).doesNotHaveDuplicates();
        long allowed = TrackingOptions.MAX_OUT_OF_ORDERNESS.defaultValue().toMillis();
        Map<String, TrackingGroundTruth.Frame> byId = new HashMap<>();
        truth.frames().forEach(f -> byId.put(f.eventId(), f));
        long newest = Long.MIN_VALUE;
        int late = 0;
        for (int position = 0; position < arrival.size(); position++) {
            TrackingGroundTruth.Frame frame = byId.get(arrival.get(position));
            assertThat(frame).isNotNull();
            assertThat(Math.abs(frame.index() - position)).as("%s's displacement", frame.eventId()).isLessThanOrEqualTo(3);
            if (frame.eventTimeMillis() < newest) {
                late++;
                assertThat(newest - frame.eventTimeMillis()).as("%s behind the newest", frame.eventId())
                        .isLessThanOrEqualTo(120).isLessThan(allowed);
            }
            newest = Math.max(newest, frame.eventTimeMillis());
        }
        assertThat(late).as("frames arriving after a later one").isGreaterThanOrEqualTo(10);
    }

    @Test
    void theDetectorFindsTheGroundTruthsFacesInTheFrames() throws Exception {
        // The reference boxes come from the faces' cutouts alone; the frames must show those faces there, also where
        // two cross. Frames: the first, the crossing's closest, one with the face hidden.
        TrackingGroundTruth truth = sequence.groundTruth();
        int closest = 0;
        double mostOverlap = -1;
        for (TrackingGroundTruth.Frame frame : truth.frames()) {
            double overlap = 1 - frame.faces().stream().mapToDouble(TrackingGroundTruth.Face::visibility).min().orElse(1);
            if (overlap > mostOverlap) {
                mostOverlap = overlap;
                closest = frame.index();
            }
        }
        int hidden = truth.frames().stream().filter(f -> !f.hidden().isEmpty()).findFirst().orElseThrow().index();
        for (int index : List.of(0, closest, hidden)) {
            TrackingGroundTruth.Frame frame = truth.frames().get(index);
            List<DetectedFace> found = session.detect(sequence.frames().get(index), "image/jpeg").faces();
            assertThat(found).as("frame %d", index).hasSize(frame.faces().size());
            for (TrackingGroundTruth.Face face : frame.faces()) {
                double best = found.stream().mapToDouble(d -> face.iou(d.x1(), d.y1(), d.x2(), d.y2())).max().orElse(0);
                assertThat(best).as("%s in frame %d", face.id(), index).isGreaterThanOrEqualTo(0.7);
            }
        }
    }

    private static double centreX(TrackingGroundTruth.Frame frame, String id) {
        return frame.faces().stream().filter(f -> f.id().equals(id)).mapToDouble(f -> (f.x1() + f.x2()) / 2).findFirst().orElseThrow();
    }
}
