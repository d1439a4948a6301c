package io.facestream.track;

import io.facestream.avro.BoundingBox;
import io.facestream.avro.Face;
import io.facestream.avro.FaceDetectionResult;
import io.facestream.avro.FaceTrack;
import io.facestream.avro.TrackEnd;
import io.facestream.job.DetectionMetrics;
import io.facestream.job.DetectionOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Follows faces over the frames of each source, keyed by the source ({@link #sourceOf}): every face of
 * a result gets its track's id ({@link Face#getTrackId()}), and each confirmed track's summary goes to
 * {@link #TRACKS} when it ends.
 *
 * <p>Tracking needs a source's frames in event-time order, and detection (async, unordered) and Kafka
 * deliver them in any order. So each result waits in keyed state until the watermark passes its event
 * time, and an event-time timer then releases the frames in (event time, event id) order to the {@link
 * IouTracker}. A result at or below the watermark when it arrives is tracked at once if it is newer
 * than its source's last tracked frame (its source's partition resumed behind the others' event time,
 * after being idle or held up: its frames are still in order); one that is not can no longer be put
 * in order, and is passed on without track ids and counted ({@value #FRAMES_LATE}), as is a late frame
 * of a source without tracks. Dead letters and results of no source pass straight through.
 *
 * <p>A source that sends nothing for {@link TrackingSettings#idle()} of event time has its tracks ended
 * ({@link TrackEnd#IDLE}) and all its state cleared, by one timer per source kept at its newest frame
 * plus the idle time, so that sources that come and go (cameras, uploads) hold no state once quiet. When
 * a bounded input ends, Flink's final watermark fires every timer: every frame and every track comes out.
 *
 * <p>Everything per source lives in keyed state and timers, so a checkpoint holds it all and a restore
 * continues the same tracks with the same ids.
 */
public class FaceTracker extends KeyedProcessFunction<String, DetectionOutcome, DetectionOutcome> {

    private static final long serialVersionUID = 1L;

    /** Summaries of the confirmed tracks that ended. */
    public static final OutputTag<FaceTrack> TRACKS = new OutputTag<>("face-tracks", TypeInformation.of(FaceTrack.class));

    /** Tracks confirmed: given an id, in {@link DetectionMetrics#GROUP} of this operator. */
    public static final String TRACKS_CONFIRMED = "tracksConfirmed";
    /** Confirmed tracks ended, each with a summary on {@link #TRACKS}. */
    public static final String TRACKS_ENDED = "tracksEnded";
    /** Results put through the tracker in event-time order. */
    public static final String FRAMES_TRACKED = "framesTracked";
    /** Results that came at or below the watermark and were passed on without track ids. */
    public static final String FRAMES_LATE = "framesLate";

    /** State names: a savepoint finds the state by them, so they must not change. */
    static final String TRACKS_STATE = "face-tracker-tracks";
    static final String PENDING_STATE = "face-tracker-pending-frames";
    static final String IDLE_TIMER_STATE = "face-tracker-idle-timer";
    /** Flink POJOs and Avro records throughout: state that Kryo would serialize could not evolve with the classes. */
    static final TypeInformation<SourceTracks> TRACKS_TYPE = TypeInformation.of(SourceTracks.class);
    static final TypeInformation<List<DetectionOutcome>> PENDING_TYPE = Types.LIST(TypeInformation.of(DetectionOutcome.class));

    private final TrackingSettings settings;

    private transient IouTracker tracker;
    private transient ValueState<SourceTracks> tracks;
    private transient MapState<Long, List<DetectionOutcome>> pending;
    private transient ValueState<Long> idleTimer;
    private transient Counter tracksConfirmed;
    private transient Counter tracksEnded;
    private transient Counter framesTracked;
    private transient Counter framesLate;

    public FaceTracker(TrackingSettings settings) {
        this.settings = settings;
    }

    /** The key of {@code outcome}: its stream source, or "" when it has none (passed on untracked). */
    public static String sourceOf(DetectionOutcome outcome) {
        return outcome.streamSource == null ? "" : outcome.streamSource;
    }

    @Override
    public void open(OpenContext openContext) {
        tracker = IouTracker.of(settings);
        tracks = getRuntimeContext().getState(new ValueStateDescriptor<>(TRACKS_STATE, TRACKS_TYPE));
        pending = getRuntimeContext().getMapState(new MapStateDescriptor<>(PENDING_STATE, Types.LONG, PENDING_TYPE));
        idleTimer = getRuntimeContext().getState(new ValueStateDescriptor<>(IDLE_TIMER_STATE, Types.LONG));
        MetricGroup group = getRuntimeContext().getMetricGroup().addGroup(DetectionMetrics.GROUP);
        tracksConfirmed = group.counter(TRACKS_CONFIRMED);
        tracksEnded = group.counter(TRACKS_ENDED);
        framesTracked = group.counter(FRAMES_TRACKED);
        framesLate = group.counter(FRAMES_LATE);
    }

    @Override
    public void processElement(DetectionOutcome outcome, Context ctx, Collector<DetectionOutcome> out) throws Exception {
        if (outcome.result == null || ctx.getCurrentKey().isEmpty()) {
            out.collect(outcome);
            return;
        }
        long eventTime = eventTimeOf(outcome);
        TimerService timers = ctx.timerService();
        boolean behindWatermark = eventTime <= timers.currentWatermark();
        SourceTracks behindState = behindWatermark ? tracks.value() : null;
        if (behindWatermark && (behindState == null || eventTime <= behindState.lastFrameMillis)) {
            framesLate.inc();
            out.collect(outcome);
            return;
        }
        // The idle timer moves before the frame's timer is set: the two may fall on the same time, where
        // Flink keeps one timer, and deleting the old idle timer afterwards would delete the frame's.
        long idleAt = saturatedAdd(eventTime, settings.idle().toMillis());
        Long currentIdleAt = idleTimer.value();
        if (currentIdleAt == null || idleAt > currentIdleAt) {
            if (currentIdleAt != null) {
                timers.deleteEventTimeTimer(currentIdleAt);
            }
            timers.registerEventTimeTimer(idleAt);
            idleTimer.update(idleAt);
        }
        if (behindWatermark) {
            // Behind the watermark, yet not behind its source's tracked frames: every frame of the source up to the
            // watermark has been tracked, and those still waiting are later, so it can be tracked now, in order.
            // (A partition that was idle, or whose reader was held up, resumes behind the others' event time.)
            tracks.update(release(ctx.getCurrentKey(), behindState, List.of(outcome), ctx, out));
            return;
        }
        List<DetectionOutcome> atTime = pending.get(eventTime);
        if (atTime == null) {
            atTime = new ArrayList<>(1);
        }
        atTime.add(outcome);
        pending.put(eventTime, atTime);
        timers.registerEventTimeTimer(eventTime);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<DetectionOutcome> out) throws Exception {
        String source = ctx.getCurrentKey();
        SourceTracks state = tracks.value();
        SourceTracks tracked = release(source, state, timestamp, ctx, out);
        Long idleAt = idleTimer.value();
        if (idleAt != null && timestamp >= idleAt) {
            if (tracked != null) {
                emitEnded(source, tracker.endAll(tracked, TrackEnd.IDLE), ctx);
            }
            tracks.clear();
            pending.clear();
            idleTimer.clear();
        } else if (tracked != null) {
            tracks.update(tracked);
        }
    }

    /** Tracks and emits every pending frame at or before {@code timestamp}; returns the source's tracks after. */
    private SourceTracks release(String source, SourceTracks state, long timestamp, OnTimerContext ctx,
                                 Collector<DetectionOutcome> out) throws Exception {
        List<DetectionOutcome> due = new ArrayList<>();
        for (Iterator<Map.Entry<Long, List<DetectionOutcome>>> entries = pending.iterator(); entries.hasNext(); ) {
            Map.Entry<Long, List<DetectionOutcome>> entry = entries.next();
            if (entry.getKey() <= timestamp) {
                due.addAll(entry.getValue());
                entries.remove();
            }
        }
        return release(source, state, due, ctx, out);
    }

    /** Tracks and emits {@code due} in (event time, event id) order; returns the source's tracks after. */
    private SourceTracks release(String source, SourceTracks state, List<DetectionOutcome> due, Context ctx,
                                 Collector<DetectionOutcome> out) throws Exception {
        due = new ArrayList<>(due);
        due.sort(Comparator.comparingLong(FaceTracker::eventTimeOf)
                .thenComparing(outcome -> outcome.result.getEventId(), Comparator.nullsFirst(Comparator.naturalOrder())));
        for (DetectionOutcome outcome : due) {
            long eventTime = eventTimeOf(outcome);
            if (state != null && eventTime < state.lastFrameMillis) {
                // Only after a restore, whose watermark starts from nothing: a frame replayed from before
                // what the restored tracks have seen cannot join them in order.
                framesLate.inc();
                out.collect(outcome);
                continue;
            }
            if (state == null) {
                state = SourceTracks.start(source, eventTime);
            }
            IouTracker.Step step = tracker.track(state, frameOf(outcome));
            framesTracked.inc();
            tracksConfirmed.inc(step.confirmed());
            emitEnded(source, step.ended(), ctx);
            out.collect(withTrackIds(outcome, step.trackIds()));
        }
        return state;
    }

    private void emitEnded(String source, List<IouTracker.Ended> ended, Context ctx) {
        for (IouTracker.Ended end : ended) {
            ctx.output(TRACKS, summary(source, end.track(), end.end()));
            tracksEnded.inc();
        }
    }

    static FaceTrack summary(String source, Track track, TrackEnd end) {
        return FaceTrack.newBuilder()
                .setSource(source)
                .setTrackId(track.trackId)
                .setFirstEventTime(Instant.ofEpochMilli(track.firstSeenMillis))
                .setLastEventTime(Instant.ofEpochMilli(track.lastSeenMillis))
                .setFrames(track.frames)
                .setBestScore(track.bestScore)
                .setBestEventId(track.bestEventId)
                .setBestBox(new BoundingBox(track.bestX1, track.bestY1, track.bestX2, track.bestY2))
                .setEnd(end)
                .build();
    }

    private static IouTracker.Frame frameOf(DetectionOutcome outcome) {
        FaceDetectionResult result = outcome.result;
        List<IouTracker.Detection> faces = new ArrayList<>(result.getFaces().size());
        for (Face face : result.getFaces()) {
            BoundingBox box = face.getBox();
            faces.add(new IouTracker.Detection(box.getX1(), box.getY1(), box.getX2(), box.getY2(), face.getScore()));
        }
        return new IouTracker.Frame(eventTimeOf(outcome), result.getEventId(), faces);
    }

    /** A copy of {@code outcome} whose faces carry their track ids; the buffered record is left as it was. */
    private static DetectionOutcome withTrackIds(DetectionOutcome outcome, List<String> trackIds) {
        FaceDetectionResult result = outcome.result;
        if (result.getFaces().isEmpty()) {
            return outcome;
        }
        List<Face> faces = new ArrayList<>(result.getFaces().size());
        for (int i = 0; i < result.getFaces().size(); i++) {
            faces.add(Face.newBuilder(result.getFaces().get(i)).setTrackId(trackIds.get(i)).build());
        }
        return outcome.withResult(FaceDetectionResult.newBuilder(result).setFaces(faces).build());
    }

    private static long eventTimeOf(DetectionOutcome outcome) {
        return outcome.result.getEventTime().toEpochMilli();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }
}
