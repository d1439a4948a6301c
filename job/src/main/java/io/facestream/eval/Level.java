package io.facestream.eval;

import java.util.Locale;

/** The three WIDER FACE difficulty levels; each has its own keep-list of faces that count. */
public enum Level {
    EASY, MEDIUM, HARD;

    /** {@code easy}, {@code medium} or {@code hard}: the name used in files, flags and output. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
