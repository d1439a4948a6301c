package io.facestream.track;

import java.util.ArrayList;
import java.util.List;

/**
 * The tracking state of one source (camera, stream) for one session: its open tracks and what their
 * ids are made of. A Flink POJO ({@link FaceTracker} keeps one per source in keyed state); a session
 * ends when the source goes quiet and its state is freed.
 */
public class SourceTracks {

    public String source;
    /**
     * Event time of the session's first frame: part of every track id, so that the ids of a source's
     * later session, which starts at a later event time, cannot repeat this one's.
     */
    public long sessionStartMillis;
    /** The number the next confirmed track gets, from 1. */
    public long nextTrackNumber = 1;
    /** Event time of the latest frame tracked. */
    public long lastFrameMillis;
    /** Open tracks, tentative and confirmed, oldest first. */
    public List<Track> tracks = new ArrayList<>();

    public SourceTracks() {}

    /** A new session of {@code source} whose first frame has event time {@code firstFrameMillis}. */
    public static SourceTracks start(String source, long firstFrameMillis) {
        SourceTracks state = new SourceTracks();
        state.source = source;
        state.sessionStartMillis = firstFrameMillis;
        state.lastFrameMillis = firstFrameMillis;
        return state;
    }

    String nextTrackId() {
        return source + "/" + sessionStartMillis + "/" + nextTrackNumber++;
    }
}
