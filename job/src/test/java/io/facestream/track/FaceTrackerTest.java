package io.facestream.track;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.tuple;

import io.facestream.avro.BoundingBox;
import io.facestream.avro.DeadLetterReason;
import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceLandmarks;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.ModelInfo;
import io.facestream.avro.Point;
import io.facestream.avro.StageTimings;
import io.facestream.avro.TrackEnd;
import io.facestream.job.DeadLetters;
import io.facestream.job.DetectionMetrics;
import io.facestream.job.DetectionOutcome;
import io.facestream.job.SourcedImageEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.clusterframework.types.ResourceID;
import org.apache.flink.runtime.executiongraph.ExecutionGraphTestUtils;
import org.apache.flink.runtime.metrics.groups.TaskManagerMetricGroup;
import org.apache.flink.runtime.metrics.groups.TaskMetricGroup;
import org.apache.flink.runtime.metrics.util.TestingMetricRegistry;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The tracking operator in Flink's keyed operator harness: real keyed state, timers, watermarks and
 * checkpoints (heap backend), with results made as the detector would and faces moving at known speeds.
 */
class FaceTrackerTest {

    private static final long FRAME_MILLIS = 40;
    private static final long BOUND = 500;
    private static final TrackingSettings SETTINGS = TrackingSettings.builder().enabled(true)
            .maxOutOfOrderness(Duration.ofMillis(BOUND)).minHits(2).maxMisses(3).idle(Duration.ofSeconds(5)).minIou(0.3)
            .build();

    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** The operator's metrics in {@link DetectionMetrics#GROUP}, by name, from the latest harness. */
    private final Map<String, Metric> metrics = new HashMap<>();

    @AfterEach
    void close() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    private KeyedOneInputStreamOperatorTestHarness<String, DetectionOutcome, DetectionOutcome> harness() throws Exception {
        metrics.clear();
        TestingMetricRegistry registry = TestingMetricRegistry.builder()
                .setRegisterConsumer((metric, name, group) -> {
                    String[] scope = group.getScopeComponents();
                    if (scope[scope.length - 1].equals(DetectionMetrics.GROUP)) {
                        metrics.put(name, metric);
                    }
                })
                .build();
        TaskMetricGroup taskGroup = TaskManagerMetricGroup.createTaskManagerMetricGroup(registry, "localhost", ResourceID.generate())
                .addJob(new JobID(), "job").addTask(ExecutionGraphTestUtils.createExecutionAttemptId(), "tracker");
        MockEnvironment environment = new MockEnvironmentBuilder().setMetricGroup(taskGroup).build();
        toClose.add(environment);
        KeyedOneInputStreamOperatorTestHarness<String, DetectionOutcome, DetectionOutcome> harness =
                new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new FaceTracker(SETTINGS)),
                        FaceTracker::sourceOf, Types.STRING, environment);
        toClose.add(harness);
        return harness;
    }

    private long counter(String name) {
        return ((Counter) metrics.get(name)).getCount();
    }

    private static Face face(double x, double y) {
        Point point = new Point((float) x, (float) y);
        return Face.newBuilder().setScore(0.9f)
                .setBox(new BoundingBox((float) x, (float) y, (float) x + 50, (float) y + 50))
                .setLandmarks(new FaceLandmarks(point, point, point, point, point)).setTrackId(null).build();
    }

    private static DetectionOutcome frame(String source, String eventId, long eventTime, Face... faces) {
        FaceDetectionResult result = FaceDetectionResult.newBuilder()
                .setEventId(eventId).setEventTime(Instant.ofEpochMilli(eventTime)).setSource(null)
                .setImageWidth(640).setImageHeight(480).setModel(new ModelInfo("model", "0")).setFaces(List.of(faces))
                .setTimings(new StageTimings(0L, 0L, 0L, 0L, 0L, 0L)).setProcessedAt(Instant.EPOCH).build();
        DetectionOutcome outcome = DetectionOutcome.of(result);
        outcome.streamSource = source;
        return outcome;
    }

    /** Frame {@code k} of a source whose one face moves right at 0.25 px/ms from x = 0. */
    private static DetectionOutcome movingFace(String source, int k, long start) {
        long time = start + k * FRAME_MILLIS;
        return frame(source, source + "-" + k, time, face(0.25 * (time - start), 100));
    }

    private static DetectionOutcome deadLetter(String source, String eventId) {
        SourcedImageEvent unparseable = SourcedImageEvent.unparseable(DeadLetterReason.MALFORMED_EVENT, "not an event",
                null, eventId, new byte[] {1});
        DetectionOutcome outcome = DetectionOutcome.of(DeadLetters.of(unparseable, DeadLetterReason.MALFORMED_EVENT,
                "not an event", 1024));
        outcome.streamSource = source;
        return outcome;
    }

    private static void send(KeyedOneInputStreamOperatorTestHarness<String, DetectionOutcome, DetectionOutcome> harness,
                             DetectionOutcome outcome) throws Exception {
        long timestamp = outcome.result != null ? outcome.result.getEventTime().toEpochMilli() : 0;
        harness.processElement(outcome, timestamp);
    }

    private static List<DetectionOutcome> results(KeyedOneInputStreamOperatorTestHarness<String, DetectionOutcome, DetectionOutcome> harness) {
        return harness.extractOutputValues().stream().filter(outcome -> outcome.result != null).collect(Collectors.toList());
    }

    private static List<FaceTrack> summaries(KeyedOneInputStreamOperatorTestHarness<String, DetectionOutcome, DetectionOutcome> harness) {
        if (harness.getSideOutput(FaceTracker.TRACKS) == null) {
            return List.of();
        }
        return harness.getSideOutput(FaceTracker.TRACKS).stream().map(StreamRecord::getValue).collect(Collectors.toList());
    }

    private static List<String> eventIds(List<DetectionOutcome> outcomes) {
        return outcomes.stream().map(outcome -> outcome.result.getEventId()).collect(Collectors.toList());
    }

    private static String trackIdOf(DetectionOutcome outcome) {
        return outcome.result.getFaces().get(0).getTrackId();
    }

    @Test
    void framesOutOfOrderWithinTheBoundComeOutInEventTimeOrderWithStableIds() throws Exception {
        var harness = harness();
        harness.open();
        // Two cameras 20 ms apart, each frame delivered up to 3 frames (120 ms) late, the watermark BOUND behind the newest.
        int[] order = {1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14, 17, 19, 16, 18};
        long newest = Long.MIN_VALUE;
        for (int k : order) {
            for (String source : List.of("cam-a", "cam-b")) {
                DetectionOutcome outcome = movingFace(source, k, source.equals("cam-a") ? 10_000 : 10_020);
                send(harness, outcome);
                newest = Math.max(newest, outcome.result.getEventTime().toEpochMilli());
            }
            harness.processWatermark(new Watermark(newest - BOUND - 1));
        }
        assertThat(counter(FaceTracker.FRAMES_LATE)).isZero();
        harness.processWatermark(Watermark.MAX_WATERMARK);

        List<DetectionOutcome> out = results(harness);
        assertThat(out).hasSize(40);
        for (String source : List.of("cam-a", "cam-b")) {
            List<DetectionOutcome> ofSource = out.stream().filter(outcome -> outcome.streamSource.equals(source))
                    .collect(Collectors.toList());
            List<String> expectedOrder = new ArrayList<>();
            for (int k = 0; k < 20; k++) {
                expectedOrder.add(source + "-" + k);
            }
            assertThat(eventIds(ofSource)).containsExactlyElementsOf(expectedOrder);
            String expectedId = source + "/" + (source.equals("cam-a") ? 10_000 : 10_020) + "/1";
            assertThat(trackIdOf(ofSource.get(0))).isNull();
            assertThat(ofSource.subList(1, 20)).extracting(FaceTrackerTest::trackIdOf).containsOnly(expectedId);
        }
        List<FaceTrack> tracks = summaries(harness);
        assertThat(tracks).extracting(FaceTrack::getTrackId).containsExactlyInAnyOrder("cam-a/10000/1", "cam-b/10020/1");
        FaceTrack a = tracks.stream().filter(track -> track.getSource().equals("cam-a")).findFirst().orElseThrow();
        assertThat(a.getFrames()).isEqualTo(20);
        assertThat(a.getFirstEventTime()).isEqualTo(Instant.ofEpochMilli(10_000));
        assertThat(a.getLastEventTime()).isEqualTo(Instant.ofEpochMilli(10_000 + 19 * FRAME_MILLIS));
        assertThat(a.getEnd()).isEqualTo(TrackEnd.IDLE);
        assertThat(a.getBestEventId()).isEqualTo("cam-a-0");
        assertThat(counter(FaceTracker.FRAMES_TRACKED)).isEqualTo(40);
        assertThat(counter(FaceTracker.TRACKS_CONFIRMED)).isEqualTo(2);
        assertThat(counter(FaceTracker.TRACKS_ENDED)).isEqualTo(2);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void aLateFrameComesOutAtOnceUntrackedAndIsCounted() throws Exception {
        var harness = harness();
        harness.open();
        for (int k = 0; k < 3; k++) {
            send(harness, movingFace("cam", k, 1_000));
        }
        harness.processWatermark(new Watermark(1_000 + 2 * FRAME_MILLIS));
        assertThat(results(harness)).hasSize(3);
        assertThat(trackIdOf(results(harness).get(2))).isEqualTo("cam/1000/1");

        // One behind the watermark, one exactly at it: neither can be put in order any more.
        send(harness, frame("cam", "behind", 1_020, face(5, 100)));
        send(harness, frame("cam", "at", 1_000 + 2 * FRAME_MILLIS, face(20, 100)));
        List<DetectionOutcome> out = results(harness);
        assertThat(eventIds(out)).containsExactly("cam-0", "cam-1", "cam-2", "behind", "at");
        assertThat(trackIdOf(out.get(3))).isNull();
        assertThat(trackIdOf(out.get(4))).isNull();
        assertThat(counter(FaceTracker.FRAMES_LATE)).isEqualTo(2);
        assertThat(counter(FaceTracker.FRAMES_TRACKED)).isEqualTo(3);

        // The track goes on with the frames that are on time.
        send(harness, movingFace("cam", 3, 1_000));
        harness.processWatermark(Watermark.MAX_WATERMARK);
        assertThat(trackIdOf(results(harness).get(5))).isEqualTo("cam/1000/1");
        assertThat(summaries(harness)).singleElement().extracting(FaceTrack::getFrames).isEqualTo(4);
    }

    /** A partition that was idle (or held up) resumes behind the others' event time: its frames are still in order. */
    @Test
    void aFrameBehindTheWatermarkButNewerThanItsSourcesTrackedFramesIsTrackedAtOnce() throws Exception {
        var harness = harness();
        harness.open();
        for (int k = 0; k < 3; k++) {
            send(harness, movingFace("cam", k, 1_000));
        }
        harness.processWatermark(new Watermark(1_000 + 2 * FRAME_MILLIS));
        // Other cameras' partitions moved event time on while this camera's partition was held up.
        harness.processWatermark(new Watermark(3_000));
        send(harness, movingFace("cam", 3, 1_000));
        send(harness, movingFace("cam", 4, 1_000));

        List<DetectionOutcome> out = results(harness);
        assertThat(eventIds(out)).containsExactly("cam-0", "cam-1", "cam-2", "cam-3", "cam-4");
        assertThat(trackIdOf(out.get(3))).isEqualTo("cam/1000/1");
        assertThat(trackIdOf(out.get(4))).isEqualTo("cam/1000/1");
        assertThat(counter(FaceTracker.FRAMES_LATE)).isZero();
        assertThat(counter(FaceTracker.FRAMES_TRACKED)).isEqualTo(5);
    }

    @Test
    void deadLettersAndResultsWithoutASourcePassStraightThrough() throws Exception {
        var harness = harness();
        harness.open();
        send(harness, deadLetter("cam", "broken-1"));
        send(harness, deadLetter(null, "broken-2"));
        send(harness, frame(null, "sourceless", 5_000, face(0, 0)));

        List<DetectionOutcome> out = harness.extractOutputValues();
        assertThat(out).hasSize(3);
        assertThat(out.get(0).deadLetter.getEventId()).isEqualTo("broken-1");
        assertThat(out.get(1).deadLetter.getEventId()).isEqualTo("broken-2");
        assertThat(out.get(2).result.getEventId()).isEqualTo("sourceless");
        assertThat(trackIdOf(out.get(2))).isNull();
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        assertThat(counter(FaceTracker.FRAMES_LATE)).isZero();
        assertThat(counter(FaceTracker.FRAMES_TRACKED)).isZero();
    }

    @Test
    void everyInputComesOutExactlyOnce() throws Exception {
        var harness = harness();
        harness.open();
        Random random = new Random(15);
        List<String> sentIds = new ArrayList<>();
        long newest = 0;
        for (int i = 0; i < 3_000; i++) {
            String source = "cam-" + random.nextInt(40);
            DetectionOutcome outcome;
            int kind = random.nextInt(20);
            if (kind == 0) {
                outcome = deadLetter(source, "dead-" + i);
                sentIds.add("dead-" + i);
            } else {
                // Event times wander around a clock that moves 5 ms a record: some frames come late.
                long time = 10_000 + 5L * i + random.nextInt(1_500) - 1_000;
                Face[] faces = new Face[random.nextInt(3)];
                for (int f = 0; f < faces.length; f++) {
                    faces[f] = face(random.nextInt(600), random.nextInt(400));
                }
                outcome = frame(kind == 1 ? null : source, "frame-" + i, time, faces);
                sentIds.add("frame-" + i);
                newest = Math.max(newest, time);
            }
            send(harness, outcome);
            if (i % 7 == 0) {
                harness.processWatermark(new Watermark(newest - BOUND - 1));
            }
        }
        harness.processWatermark(Watermark.MAX_WATERMARK);

        List<String> outIds = harness.extractOutputValues().stream()
                .map(outcome -> outcome.result != null ? outcome.result.getEventId() : outcome.deadLetter.getEventId())
                .collect(Collectors.toList());
        assertThat(outIds).hasSameSizeAs(sentIds).containsExactlyInAnyOrderElementsOf(sentIds);
        long results = sentIds.stream().filter(id -> id.startsWith("frame-")).count();
        long sourceless = harness.extractOutputValues().stream()
                .filter(outcome -> outcome.result != null && outcome.streamSource == null).count();
        assertThat(counter(FaceTracker.FRAMES_LATE)).isPositive();
        assertThat(counter(FaceTracker.FRAMES_TRACKED) + counter(FaceTracker.FRAMES_LATE) + sourceless).isEqualTo(results);
        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
    }

    @Test
    void quietSourcesLeaveNoStateAndTheirTracksEnd() throws Exception {
        var harness = harness();
        harness.open();
        int sources = 1_000;
        for (int k = 0; k < 3; k++) {
            for (int s = 0; s < sources; s++) {
                send(harness, movingFace("cam-" + s, k, 1_000));
            }
        }
        long lastFrame = 1_000 + 2 * FRAME_MILLIS;
        harness.processWatermark(new Watermark(lastFrame));
        assertThat(results(harness)).hasSize(3 * sources);
        // Every source still holds its tracks and its idle timer: the frames alone free nothing.
        assertThat(harness.numKeyedStateEntries()).isGreaterThanOrEqualTo(sources);
        assertThat(harness.numEventTimeTimers()).isEqualTo(sources);
        assertThat(summaries(harness)).isEmpty();

        harness.processWatermark(new Watermark(lastFrame + SETTINGS.idle().toMillis() - 1));
        assertThat(summaries(harness)).isEmpty();
        harness.processWatermark(new Watermark(lastFrame + SETTINGS.idle().toMillis()));

        assertThat(harness.numKeyedStateEntries()).isZero();
        assertThat(harness.numEventTimeTimers()).isZero();
        List<FaceTrack> tracks = summaries(harness);
        assertThat(tracks).hasSize(sources);
        assertThat(tracks).extracting(FaceTrack::getTrackId).doesNotHaveDuplicates();
        assertThat(tracks).allSatisfy(track -> {
            assertThat(track.getEnd()).isEqualTo(TrackEnd.IDLE);
            assertThat(track.getFrames()).isEqualTo(3);
            assertThat(track.getTrackId()).isEqualTo(track.getSource() + "/1000/1");
        });
        assertThat(counter(FaceTracker.TRACKS_CONFIRMED)).isEqualTo(sources);
        assertThat(counter(FaceTracker.TRACKS_ENDED)).isEqualTo(sources);

        // A source that comes back starts a new session: new ids, never one of the first session's.
        send(harness, movingFace("cam-0", 0, 9_000));
        send(harness, movingFace("cam-0", 1, 9_000));
        harness.processWatermark(Watermark.MAX_WATERMARK);
        assertThat(trackIdOf(results(harness).get(3 * sources + 1))).isEqualTo("cam-0/9000/1");
    }

    @Test
    void aTrackMissingTooLongEndsWhileItsSourceGoesOn() throws Exception {
        var harness = harness();
        harness.open();
        for (int k = 0; k < 10; k++) {
            long time = 1_000 + k * FRAME_MILLIS;
            // The face is there in frames 0 to 4, then gone; a second face stays at the other side all along.
            Face other = face(500, 300);
            send(harness, k < 5 ? frame("cam", "e" + k, time, face(100, 100), other) : frame("cam", "e" + k, time, other));
        }
        harness.processWatermark(new Watermark(1_000 + 9 * FRAME_MILLIS));
        // Missing in frames 5 to 8 is 4 misses, more than 3: it ended at frame 8, before the source went quiet.
        FaceTrack ended = summaries(harness).stream().filter(track -> track.getEnd() == TrackEnd.MISSED).findFirst().orElseThrow();
        assertThat(ended.getTrackId()).isEqualTo("cam/1000/1");
        assertThat(ended.getFrames()).isEqualTo(5);
        assertThat(ended.getLastEventTime()).isEqualTo(Instant.ofEpochMilli(1_000 + 4 * FRAME_MILLIS));
        assertThat(summaries(harness)).hasSize(1);
    }

    @Test
    void aRestoredSnapshotContinuesTheSameTracksWithTheSameIds() throws Exception {
        var first = harness();
        first.open();
        for (int k = 0; k < 8; k++) {
            send(first, movingFace("cam-1", k, 1_000));
            send(first, movingFace("cam-2", k, 2_000));
        }
        // cam-1's frames 0 to 4 are tracked, 5 to 7 still wait for the watermark; cam-2's all wait.
        first.processWatermark(new Watermark(1_000 + 4 * FRAME_MILLIS));
        List<DetectionOutcome> before = results(first);
        assertThat(eventIds(before)).containsExactly("cam-1-0", "cam-1-1", "cam-1-2", "cam-1-3", "cam-1-4");
        OperatorSubtaskState snapshot = first.snapshot(1, 1);

        var restored = harness();
        restored.initializeState(snapshot);
        restored.open();
        // The restored watermark starts from nothing: a frame older than what cam-1's tracks have seen gets in,
        // and must still come out untracked, as it would have before the restore.
        send(restored, frame("cam-1", "replayed", 1_000 + 2 * FRAME_MILLIS + 20, face(0, 100)));
        for (int k = 8; k < 12; k++) {
            send(restored, movingFace("cam-1", k, 1_000));
            send(restored, movingFace("cam-2", k, 2_000));
        }
        restored.processWatermark(Watermark.MAX_WATERMARK);

        List<DetectionOutcome> replayed = results(restored).stream().filter(o -> o.result.getEventId().equals("replayed"))
                .collect(Collectors.toList());
        assertThat(replayed).singleElement().extracting(FaceTrackerTest::trackIdOf).isNull();
        assertThat(counter(FaceTracker.FRAMES_LATE)).isEqualTo(1);
        List<DetectionOutcome> after = results(restored).stream().filter(o -> !o.result.getEventId().equals("replayed"))
                .collect(Collectors.toList());
        List<String> expectedCam1 = new ArrayList<>();
        List<String> expectedCam2 = new ArrayList<>();
        for (int k = 0; k < 12; k++) {
            if (k >= 5) {
                expectedCam1.add("cam-1-" + k);
            }
            expectedCam2.add("cam-2-" + k);
        }
        assertThat(eventIds(after.stream().filter(o -> o.streamSource.equals("cam-1")).collect(Collectors.toList())))
                .containsExactlyElementsOf(expectedCam1);
        assertThat(eventIds(after.stream().filter(o -> o.streamSource.equals("cam-2")).collect(Collectors.toList())))
                .containsExactlyElementsOf(expectedCam2);
        assertThat(before.subList(1, 5)).extracting(FaceTrackerTest::trackIdOf).containsOnly("cam-1/1000/1");
        assertThat(after.stream().filter(o -> o.streamSource.equals("cam-1"))).extracting(FaceTrackerTest::trackIdOf)
                .containsOnly("cam-1/1000/1");
        List<DetectionOutcome> cam2 = after.stream().filter(o -> o.streamSource.equals("cam-2")).collect(Collectors.toList());
        assertThat(trackIdOf(cam2.get(0))).isNull();
        assertThat(cam2.subList(1, 12)).extracting(FaceTrackerTest::trackIdOf).containsOnly("cam-2/2000/1");
        assertThat(summaries(restored)).extracting(FaceTrack::getTrackId, FaceTrack::getFrames)
                .containsExactlyInAnyOrder(tuple("cam-1/1000/1", 12), tuple("cam-2/2000/1", 12));
        assertThat(restored.numKeyedStateEntries()).isZero();
        assertThat(restored.numEventTimeTimers()).isZero();
    }

    @Test
    void stateAndSummariesAreSerializedWithoutKryo() {
        SerializerConfigImpl noKryo = new SerializerConfigImpl();
        noKryo.setGenericTypes(false);
        assertThat(FaceTracker.TRACKS_TYPE).isInstanceOf(PojoTypeInfo.class);
        for (TypeInformation<?> type : List.of(FaceTracker.TRACKS_TYPE, FaceTracker.PENDING_TYPE, FaceTracker.TRACKS.getTypeInfo())) {
            assertThatCode(() -> type.createSerializer(noKryo)).as(type.toString()).doesNotThrowAnyException();
        }
    }
}
