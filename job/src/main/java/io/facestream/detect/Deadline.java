package io.facestream.detect;

import java.time.Duration;

/**
 * When an image stops being worth detecting, on the {@link System#nanoTime()} clock: its caller
 * has answered for it by then (a timeout), so running it would only delay the images behind it.
 */
public final class Deadline {

    /** Run whenever an inference thread gets to it, however late. */
    public static final Deadline NONE = new Deadline(0, false);

    private final long nanos;
    private final boolean set;

    private Deadline(long nanos, boolean set) {
        this.nanos = nanos;
        this.set = set;
    }

    /** {@code timeout} after {@code startNanos}, a {@link System#nanoTime()} reading. */
    public static Deadline after(Duration timeout, long startNanos) {
        return new Deadline(startNanos + timeout.toNanos(), true);
    }

    public boolean passed(long nowNanos) {
        // Differences, not comparisons, of nanoTime readings: the clock may wrap.
        return set && nowNanos - nanos >= 0;
    }

    @Override
    public String toString() {
        return set ? "Deadline[" + nanos + "]" : "Deadline[none]";
    }
}
