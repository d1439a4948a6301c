package io.facestream.track;

import io.facestream.avro.TrackEnd;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * One tracking step of one source: the faces of a frame joined to the source's open tracks.
 *
 * <p>Each track's box is predicted to the frame's event time with a constant-velocity model: every box
 * edge moves at its own velocity in pixels per millisecond, measured from the last two matches and
 * smoothed ({@link #VELOCITY_SMOOTHING}). Because the model runs on event time, not on frame counts,
 * irregular frame gaps and frames in which the face was missed are predicted as far as the face really
 * moved.
 *
 * <p>Faces are assigned to tracks greedily: of all pairs whose IoU with the predicted box reaches
 * {@code minIou}, the highest IoU first, each track and face used once. The optimal (Hungarian)
 * assignment is not worth its cost here: with motion prediction the pairs above the gate are nearly
 * always unambiguous, one face per predicted box, and there both give the same answer. Greedy is
 * deterministic, O(n² log n) for n faces, and needs no hand-written assignment solver. Where the two
 * differ, two predicted boxes overlap the same faces, and both predictions are guesses that the
 * optimal sum of IoUs does not make better; MOTA/IDF1 on real sequences is the measure of that choice.
 *
 * <p>A new face opens a tentative track, which gets an id once seen in {@code minHits} frames; a
 * tentative track that misses a frame is dropped without a trace (a false detection, most likely). A
 * confirmed track ends {@link TrackEnd#MISSED} when its face is missing from more than {@code maxMisses}
 * frames of its source in a row, or {@link TrackEnd#IDLE} when not seen for {@code idle} of event time.
 *
 * <p>Holds settings only: all state is in the {@link SourceTracks} passed to it.
 */
public final class IouTracker implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * Weight of the newest measured velocity against the smoothed one: detection boxes jitter by a
     * few pixels, which at 30 frames per second is a large velocity; halving it each frame still
     * follows a face that turns within a few frames.
     */
    static final double VELOCITY_SMOOTHING = 0.5;

    private final int minHits;
    private final int maxMisses;
    private final long idleMillis;
    private final double minIou;

    public IouTracker(int minHits, int maxMisses, long idleMillis, double minIou) {
        if (minHits < 1 || maxMisses < 0 || idleMillis <= 0 || !(minIou > 0 && minIou <= 1)) {
            throw new IllegalArgumentException("minHits " + minHits + ", maxMisses " + maxMisses + ", idle "
                    + idleMillis + " ms, minIou " + minIou + ": see TrackingSettings for the valid ranges");
        }
        this.minHits = minHits;
        this.maxMisses = maxMisses;
        this.idleMillis = idleMillis;
        this.minIou = minIou;
    }

    public static IouTracker of(TrackingSettings settings) {
        return new IouTracker(settings.minHits(), settings.maxMisses(), settings.idle().toMillis(), settings.minIou());
    }

    /** A detected face: its box in image pixels, (x1, y1) top-left, and its score. */
    public record Detection(float x1, float y1, float x2, float y2, float score) {}

    /** One frame of a source: its event time and id, and the faces detected in it. */
    public record Frame(long eventTimeMillis, String eventId, List<Detection> faces) {
        public Frame {
            Objects.requireNonNull(eventId, "eventId");
            faces = List.copyOf(faces);
        }
    }

    /** A confirmed track that ended, and why. */
    public record Ended(Track track, TrackEnd end) {}

    /**
     * What a step did.
     *
     * @param trackIds for each face of the frame, in its order: the id of its track, or null while that
     *                 track is tentative
     * @param ended the confirmed tracks this frame ended (tentative ones vanish without a trace)
     * @param confirmed how many tracks this frame confirmed
     */
    public record Step(List<String> trackIds, List<Ended> ended, int confirmed) {}

    /**
     * Tracks {@code frame}, changing {@code state}: the caller gives a source's frames in event-time
     * order. A frame older than the source's latest is tracked as if it came at the same time.
     */
    public Step track(SourceTracks state, Frame frame) {
        long now = Math.max(frame.eventTimeMillis(), state.lastFrameMillis);
        List<Ended> ended = new ArrayList<>();
        endIdle(state, now, ended);

        List<Track> tracks = state.tracks;
        List<Detection> faces = frame.faces();
        int[] trackOfFace = associate(tracks, faces, now);

        boolean[] matched = new boolean[tracks.size()];
        String[] trackIds = new String[faces.size()];
        int confirmed = 0;
        for (int face = 0; face < faces.size(); face++) {
            int index = trackOfFace[face];
            if (index < 0) {
                continue;
            }
            matched[index] = true;
            Track track = tracks.get(index);
            update(track, faces.get(face), now, frame.eventId());
            if (!track.isConfirmed() && track.frames >= minHits) {
                track.trackId = state.nextTrackId();
                confirmed++;
            }
            trackIds[face] = track.trackId;
        }

        List<Track> open = new ArrayList<>(tracks.size() + faces.size());
        for (int index = 0; index < tracks.size(); index++) {
            Track track = tracks.get(index);
            if (matched[index]) {
                open.add(track);
                continue;
            }
            track.misses++;
            if (!track.isConfirmed()) {
                continue;
            }
            if (track.misses > maxMisses) {
                ended.add(new Ended(track, TrackEnd.MISSED));
            } else {
                open.add(track);
            }
        }
        for (int face = 0; face < faces.size(); face++) {
            if (trackOfFace[face] >= 0) {
                continue;
            }
            Track track = open(faces.get(face), now, frame.eventId());
            if (minHits <= 1) {
                track.trackId = state.nextTrackId();
                confirmed++;
            }
            trackIds[face] = track.trackId;
            open.add(track);
        }
        state.tracks = open;
        state.lastFrameMillis = now;
        return new Step(Collections.unmodifiableList(Arrays.asList(trackIds)), ended, confirmed);
    }

    /** Ends every open track of the source, as {@code end}; returns the confirmed ones. */
    public List<Ended> endAll(SourceTracks state, TrackEnd end) {
        List<Ended> ended = new ArrayList<>();
        for (Track track : state.tracks) {
            if (track.isConfirmed()) {
                ended.add(new Ended(track, end));
            }
        }
        state.tracks = new ArrayList<>();
        return ended;
    }

    /** Tracks not seen for the idle time end before association: their prediction has run too far to trust. */
    private void endIdle(SourceTracks state, long now, List<Ended> ended) {
        for (Iterator<Track> tracks = state.tracks.iterator(); tracks.hasNext(); ) {
            Track track = tracks.next();
            if (now - track.lastSeenMillis >= idleMillis) {
                tracks.remove();
                if (track.isConfirmed()) {
                    ended.add(new Ended(track, TrackEnd.IDLE));
                }
            }
        }
    }

    /** For each face, the index of its track, or -1: greedy by IoU with the predicted boxes, highest first. */
    private int[] associate(List<Track> tracks, List<Detection> faces, long now) {
        int[] trackOfFace = new int[faces.size()];
        Arrays.fill(trackOfFace, -1);
        if (tracks.isEmpty() || faces.isEmpty()) {
            return trackOfFace;
        }
        List<Pair> pairs = new ArrayList<>();
        for (int index = 0; index < tracks.size(); index++) {
            float[] predicted = predict(tracks.get(index), now);
            for (int face = 0; face < faces.size(); face++) {
                Detection detection = faces.get(face);
                double iou = iou(predicted[0], predicted[1], predicted[2], predicted[3],
                        detection.x1(), detection.y1(), detection.x2(), detection.y2());
                if (iou >= minIou) {
                    pairs.add(new Pair(index, face, iou));
                }
            }
        }
        // Ties (rare with real boxes) go to the older track and the earlier face, so a replay assigns alike.
        pairs.sort(Comparator.comparingDouble(Pair::iou).reversed()
                .thenComparingInt(Pair::track).thenComparingInt(Pair::face));
        boolean[] trackTaken = new boolean[tracks.size()];
        for (Pair pair : pairs) {
            if (!trackTaken[pair.track()] && trackOfFace[pair.face()] < 0) {
                trackTaken[pair.track()] = true;
                trackOfFace[pair.face()] = pair.track();
            }
        }
        return trackOfFace;
    }

    private record Pair(int track, int face, double iou) {}

    /** The track's box moved on to event time {@code now} at its velocity. */
    static float[] predict(Track track, long now) {
        double dt = Math.max(0, now - track.lastSeenMillis);
        if (!track.moving || dt == 0) {
            return new float[] {track.x1, track.y1, track.x2, track.y2};
        }
        return new float[] {
            (float) (track.x1 + track.vx1 * dt), (float) (track.y1 + track.vy1 * dt),
            (float) (track.x2 + track.vx2 * dt), (float) (track.y2 + track.vy2 * dt)};
    }

    private static Track open(Detection face, long now, String eventId) {
        Track track = new Track();
        track.firstSeenMillis = now;
        track.lastSeenMillis = now;
        track.frames = 1;
        track.x1 = face.x1();
        track.y1 = face.y1();
        track.x2 = face.x2();
        track.y2 = face.y2();
        best(track, face, eventId);
        return track;
    }

    private static void update(Track track, Detection face, long now, String eventId) {
        long dt = now - track.lastSeenMillis;
        if (dt > 0) {
            // The displacement since the last match over the event time since then: right across missed frames.
            double weight = track.moving ? VELOCITY_SMOOTHING : 1;
            track.vx1 = smooth(track.vx1, (face.x1() - track.x1) / dt, weight);
            track.vy1 = smooth(track.vy1, (face.y1() - track.y1) / dt, weight);
            track.vx2 = smooth(track.vx2, (face.x2() - track.x2) / dt, weight);
            track.vy2 = smooth(track.vy2, (face.y2() - track.y2) / dt, weight);
            track.moving = true;
        }
        track.x1 = face.x1();
        track.y1 = face.y1();
        track.x2 = face.x2();
        track.y2 = face.y2();
        track.lastSeenMillis = now;
        track.frames++;
        track.misses = 0;
        if (face.score() > track.bestScore) {
            best(track, face, eventId);
        }
    }

    private static double smooth(double previous, double measured, double weight) {
        return weight * measured + (1 - weight) * previous;
    }

    private static void best(Track track, Detection face, String eventId) {
        track.bestScore = face.score();
        track.bestEventId = eventId;
        track.bestX1 = face.x1();
        track.bestY1 = face.y1();
        track.bestX2 = face.x2();
        track.bestY2 = face.y2();
    }

    /** Intersection over union of two boxes; 0 when either is empty. */
    static double iou(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2) {
        double areaA = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1);
        double areaB = Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1);
        if (areaA <= 0 || areaB <= 0) {
            return 0;
        }
        double width = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        double height = Math.min(ay2, by2) - Math.max(ay1, by1);
        if (width <= 0 || height <= 0) {
            return 0;
        }
        double intersection = width * height;
        return intersection / (areaA + areaB - intersection);
    }
}
