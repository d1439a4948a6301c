package io.facestream.detect;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Gives every thread that asks its own {@link FaceDetector.Session} (a DJL predictor is not
 * thread-safe), and closes them all at the end.
 */
public final class SessionPerThread implements AutoCloseable {

    private final List<FaceDetector.Session> opened = Collections.synchronizedList(new ArrayList<>());
    private final ThreadLocal<FaceDetector.Session> sessions;

    public SessionPerThread(FaceDetector detector) {
        this.sessions = ThreadLocal.withInitial(() -> {
            FaceDetector.Session session = detector.newSession();
            opened.add(session);
            return session;
        });
    }

    /** The calling thread's session, opened on first use. */
    public FaceDetector.Session get() {
        return sessions.get();
    }

    /** Closes every session; call once the threads using them have stopped. */
    @Override
    public void close() {
        synchronized (opened) {
            opened.forEach(FaceDetector.Session::close);
            opened.clear();
        }
    }
}
