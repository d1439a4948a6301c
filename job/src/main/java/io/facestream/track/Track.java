package io.facestream.track;

/**
 * One face followed over the frames of a source: where it was last seen, how it moves, and the best
 * frame of it so far. A Flink POJO, kept in keyed state between frames (see {@link SourceTracks}).
 *
 * <p>The box is the last detected one, not a smoothed one: a detector's box is as good a position as
 * the tracker has, and the summary's best box must be a detection.
 */
public class Track {

    /** Null while the track is tentative: it gets its id when confirmed. */
    public String trackId;

    /** Event time of the first and the latest frame the face was matched in. */
    public long firstSeenMillis;
    public long lastSeenMillis;
    /** Frames in which the face was matched to this track. */
    public int frames;
    /** Frames of the source in a row since the face was last matched. */
    public int misses;

    /** The face's box in the latest frame it was matched in, image pixels. */
    public float x1;
    public float y1;
    public float x2;
    public float y2;

    /** Velocity of each box edge in pixels per millisecond of event time; valid once {@link #moving}. */
    public double vx1;
    public double vy1;
    public double vx2;
    public double vy2;
    /** Whether a velocity has been measured: a track seen once is predicted to stay where it is. */
    public boolean moving;

    /** The highest score of the face, the frame it was in and its box there. */
    public float bestScore;
    public String bestEventId;
    public float bestX1;
    public float bestY1;
    public float bestX2;
    public float bestY2;

    public Track() {}

    public boolean isConfirmed() {
        return trackId != null;
    }

    @Override
    public String toString() {
        return "Track[" + (trackId == null ? "tentative" : trackId) + ", frames=" + frames + ", misses=" + misses
                + ", box=(" + x1 + "," + y1 + "," + x2 + "," + y2 + "), lastSeen=" + lastSeenMillis + "]";
    }
}
